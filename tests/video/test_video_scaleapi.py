"""The official `scaleapi` client creates and reads video tasks on a real server process
(`manage.py serve` with its worker), over real HTTP."""

from __future__ import annotations

import uuid

import pytest
import requests
import scaleapi
from scaleapi.exceptions import ScaleInvalidRequest
from scaleapi.tasks import TaskStatus, TaskType

from tests.polling import wait_until

pytestmark = pytest.mark.live

VIDEO = TaskType.VideoAnnotation
GEOMETRIES = {"box": {"objects_to_annotate": ["car", "bus"]}}
TRACK = {"uuid": "car-1", "type": "box", "label": "car", "keyframes": [
    {"frame": 0, "left": 0, "top": 0, "width": 10, "height": 10},
    {"frame": 2, "left": 20, "top": 0, "width": 10, "height": 10},
    {"frame": 3, "outside": True},
]}


def clients(server) -> tuple[scaleapi.ScaleClient, scaleapi.ScaleClient, str]:
    username = f"video-{uuid.uuid4().hex[:12]}"
    live, test = server.new_key(username), server.new_key(username, test=True)
    return (scaleapi.ScaleClient(live, api_instance_url=server.base_url),
            scaleapi.ScaleClient(test, api_instance_url=server.base_url), test)


def test_the_client_creates_video_tasks_and_reads_their_response_files(
        live_server_process, image_server):
    live, test, test_key = clients(live_server_process)
    frames = [f"{image_server}/frame-{n}.png" for n in range(4)]

    done = test.create_task(VIDEO, attachments=frames, geometries=GEOMETRIES, frame_rate=2,
                            events_to_annotate=["Turning"], hypothesis={"annotations": [TRACK]})
    assert (done.type, done.status) == ("videoannotation", TaskStatus.Completed.value)
    url = done.response["annotations"]["url"]
    assert url == f"{live_server_process.root_url}/v1/task/{done.id}/files/annotations.json"
    per_frame = requests.get(url, auth=(test_key, ""), timeout=10).json()
    assert [[a["left"] for a in f["annotations"]] for f in per_frame] == [[0], [10], [20], []]
    assert {a["uuid"] for f in per_frame for a in f["annotations"]} == {"car-1"}
    assert requests.get(url, timeout=10).status_code == 401
    events = requests.get(done.response["events"]["url"], auth=(test_key, ""), timeout=10)
    assert events.json() == []
    assert test.get_task(done.id).response == done.response

    live.create_project("clips", VIDEO)
    pending = live.create_task(VIDEO, project="clips", attachments=frames,
                               geometries=GEOMETRIES, unique_id="clip-1", metadata={"clip": 1})
    assert pending.status == TaskStatus.Pending.value
    assert pending.params["attachments"] == frames and pending.params["frame_rate"] == 1
    assert live.get_task(pending.id).metadata == {"clip": 1}
    listed = live.get_tasks(project_name="clips", task_type=VIDEO)
    assert [t.id for t in listed] == [pending.id]
    assert live.cancel_task(pending.id).status == TaskStatus.Canceled.value

    with pytest.raises(ScaleInvalidRequest) as refused:
        live.create_task(VIDEO, attachments=frames, geometries=GEOMETRIES, frame_rate=-1)
    assert "frame_rate must be a number > 0" in str(refused.value)


def test_the_worker_ends_a_task_with_a_missing_frame_in_error(live_server_process,
                                                              image_server):
    live, _, _ = clients(live_server_process)
    missing = f"{image_server}/gone.jpg"
    task = live.create_task(VIDEO, attachments=[f"{image_server}/ok.png", missing],
                            geometries=GEOMETRIES)
    task = wait_until(lambda: (t := live.get_task(task.id)).status != TaskStatus.Pending.value
                      and t, timeout=30, interval=0.2)
    assert task.status == "error"
    assert task.response == {"error": "One or more attachments could not be downloaded.",
                             "attachments": [{"statusCode": 404, "url": missing}]}
