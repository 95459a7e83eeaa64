"""A Label Studio ML backend on label-studio-ml's own base class and server (init_app), with a
tiny model that returns fixed regions: run by tests/model_backends/test_label_studio.py in the
venv `make lsml` builds (.venv-lsml), as `ls_backend.py --port N`.

It records each /predict request's JSON (the tasks and the labelling config) in the file named
by --record, so the test can check what annotator sent.
"""

import argparse
import json

from label_studio_ml.api import init_app
from label_studio_ml.model import LabelStudioMLBase

SIZE = {"original_width": 40, "original_height": 30}
REGIONS = [
    {"from_name": "box", "to_name": "image", "type": "rectanglelabels", "score": 0.9,
     "value": {"x": 10, "y": 20, "width": 25, "height": 30, "rotation": 0,
               "rectanglelabels": ["car"]}, **SIZE},
    {"from_name": "box", "to_name": "image", "type": "rectanglelabels", "score": 0.5,
     "value": {"x": 50, "y": 50, "width": 10, "height": 10, "rotation": 30,
               "rectanglelabels": ["bus"]}, **SIZE},
    {"from_name": "polygon", "to_name": "image", "type": "polygonlabels", "score": 0.8,
     "value": {"points": [[0, 0], [50, 0], [50, 50]], "polygonlabels": ["road"]}, **SIZE},
    {"from_name": "point", "to_name": "image", "type": "keypointlabels", "score": 0.7,
     "value": {"x": 75, "y": 10, "width": 1, "keypointlabels": ["sign"]}, **SIZE},
]


class FixedModel(LabelStudioMLBase):
    record = None

    def predict(self, tasks, **kwargs):
        if FixedModel.record:
            with open(FixedModel.record, "a") as handle:
                handle.write(json.dumps({"tasks": tasks, "label_config": self.label_config,
                                         "context": kwargs.get("context")}) + "\n")
        return [{"result": REGIONS, "score": 0.8, "model_version": "fixed-ls-1"}
                for _ in tasks]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record", default="")
    args = parser.parse_args()
    FixedModel.record = args.record or None
    app = init_app(model_class=FixedModel)
    app.run(host="127.0.0.1", port=args.port, debug=False, threaded=True)


if __name__ == "__main__":
    main()
