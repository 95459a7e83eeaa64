"""Segment Anything (SAM-family) ONNX models run with ONNX Runtime on the CPU.

The encoder turns an image into an embedding once (cached per image digest); the decoder
turns prompts (clicks, a box) into masks in milliseconds. The names of the inputs and outputs
are read from the sessions, and the two common export variants are handled (docs/assist.md,
"Reference backend"):

- encoder input of rank 4, float32 [1, 3, 1024, 1024]: the image resized so its long side is
  1024, normalised with ImageNet's mean and std, padded right and bottom (an export of SAM's
  bare image encoder); or of rank 3, [H, W, 3]: the resized RGB image as float32, the
  normalisation and padding inside the model (an export "with preprocessing");
- decoder inputs `image_embeddings`, `point_coords` [1, N, 2] (in the resized frame),
  `point_labels` [1, N] (1 positive, 0 negative, 2 and 3 a box's corners, -1 padding),
  `mask_input` [1, 1, 256, 256], `has_mask_input` [1], and `orig_im_size` [2] where the export
  has it; outputs `masks`, `iou_predictions` and `low_res_masks` where it has them. The
  low-resolution logits (the padded 1024 frame at 256 x 256) are preferred and scaled back
  here: the official export's own upscaling is traced for one aspect ratio.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from . import detector
from .model import Image, NothingFound, Prompt, Region
from .outlines import mask_polygon

TARGET = 1024  # the long side the encoder sees
LOW_RES = 256  # the side of the decoder's low-resolution logits
PIXEL_MEAN = np.array([123.675, 116.28, 103.53], dtype=np.float32)
PIXEL_STD = np.array([58.395, 57.12, 57.375], dtype=np.float32)
ORT_TYPES = {"tensor(float)": np.float32, "tensor(double)": np.float64,
             "tensor(int64)": np.int64, "tensor(int32)": np.int32}
EMBEDDING_CACHE = 8  # images whose embedding is kept (about 4 MB each)


@dataclass(frozen=True)
class Embedding:
    array: np.ndarray
    original: tuple[int, int]  # (height, width) of the image
    resized: tuple[int, int]  # (height, width) inside the encoder's square frame


def resized_size(height: int, width: int) -> tuple[int, int]:
    scale = TARGET / max(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


class SamOnnx:
    """A SAM encoder and decoder pair; thread-safe (ONNX Runtime sessions are)."""

    name = "sam-onnx"

    def __init__(self, encoder_path: str | Path, decoder_path: str | Path) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        threads = int(os.environ.get("ANNOTATOR_SAM_THREADS", "0"))
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's choice (the cores)
        providers = ["CPUExecutionProvider"]
        self.encoder = onnxruntime.InferenceSession(str(encoder_path), options,
                                                    providers=providers)
        self.decoder = onnxruntime.InferenceSession(str(decoder_path), options,
                                                    providers=providers)
        self.model_version = os.environ.get("ANNOTATOR_MODEL_VERSION") or (
            f"sam-onnx:{Path(encoder_path).stem}+{Path(decoder_path).stem}")
        encoder_input = self.encoder.get_inputs()[0]
        self.encoder_input = encoder_input.name
        self.encoder_rank = len(encoder_input.shape)
        if self.encoder_rank not in (3, 4):
            raise ValueError(f"unsupported SAM encoder input shape {encoder_input.shape}")
        self.decoder_inputs = {i.name: ORT_TYPES.get(i.type, np.float32)
                               for i in self.decoder.get_inputs()}
        self.decoder_outputs = [o.name for o in self.decoder.get_outputs()]
        self._cache: OrderedDict[str, Embedding] = OrderedDict()
        self._lock = threading.Lock()

    # --- the protocol-independent answers (reference_backend.model.Model) ----------------

    def interact(self, image: Image, prompt: Prompt, *, max_vertices: int | None) -> Region:
        mask, score = self.segment(image, prompt)
        vertices = mask_polygon(mask, max_vertices)
        if vertices is None:
            raise NothingFound("the model found no object there")
        return Region(vertices=vertices, score=score)

    def predict(self, image: Image, *, max_vertices: int | None) -> list[Region]:
        """The demonstration detector's regions, each outline refined by SAM from its box."""
        regions = []
        for proposal in detector.find_regions(image.pixels, max_vertices=max_vertices):
            xs = [x for x, _ in proposal.vertices]
            ys = [y for _, y in proposal.vertices]
            with_box = Prompt(box=(min(xs), min(ys), max(xs), max(ys)))
            try:
                regions.append(self.interact(image, with_box, max_vertices=max_vertices))
            except NothingFound:
                continue
        return regions

    # --- encoder ----------------------------------------------------------------------

    def embed(self, image: Image) -> Embedding:
        with self._lock:
            cached = self._cache.get(image.digest)
            if cached is not None:
                self._cache.move_to_end(image.digest)
                return cached
        embedding = self._encode(image.pixels)
        with self._lock:
            self._cache[image.digest] = embedding
            while len(self._cache) > EMBEDDING_CACHE:
                self._cache.popitem(last=False)
        return embedding

    def _encode(self, pixels: np.ndarray) -> Embedding:
        original = (int(pixels.shape[0]), int(pixels.shape[1]))
        resized = resized_size(*original)
        frame = cv2.resize(pixels, (resized[1], resized[0]),
                           interpolation=cv2.INTER_AREA if resized[0] < original[0]
                           else cv2.INTER_LINEAR).astype(np.float32)
        if self.encoder_rank == 4:
            frame = (frame - PIXEL_MEAN) / PIXEL_STD
            frame = np.pad(frame, ((0, TARGET - resized[0]), (0, TARGET - resized[1]), (0, 0)))
            frame = frame.transpose(2, 0, 1)[None]
        output = self.encoder.run(None, {self.encoder_input: np.ascontiguousarray(frame)})[0]
        return Embedding(array=output, original=original, resized=resized)

    # --- decoder ----------------------------------------------------------------------

    def segment(self, image: Image, prompt: Prompt) -> tuple[np.ndarray, float]:
        """The mask (H, W) bool the prompt selects, and the model's IoU estimate for it."""
        embedding = self.embed(image)
        feeds = self._decoder_feeds(embedding, prompt)
        outputs = dict(zip(self.decoder_outputs, self.decoder.run(None, feeds), strict=True))
        masks = self._masks_at_original_size(outputs, embedding)
        scores = self._scores(outputs, len(masks))
        best = self._pick(scores, prompt)
        return masks[best] > 0.0, float(np.clip(scores[best], 0.0, 1.0))

    def _decoder_feeds(self, embedding: Embedding, prompt: Prompt) -> dict[str, np.ndarray]:
        coords, labels = prompt_arrays(prompt, embedding)
        height, width = embedding.original
        values = {
            "image_embeddings": embedding.array,
            "point_coords": coords[None],
            "point_labels": labels[None],
            "mask_input": np.zeros((1, 1, LOW_RES, LOW_RES)),
            "has_mask_input": np.zeros(1),
            "orig_im_size": np.array([height, width]),
        }
        unknown = set(self.decoder_inputs) - set(values)
        if unknown:
            raise ValueError(f"the SAM decoder wants inputs this backend does not know: "
                             f"{sorted(unknown)}")
        return {name: np.asarray(values[name], dtype=dtype)  # no copy when it is that type
                for name, dtype in self.decoder_inputs.items()}

    def _masks_at_original_size(self, outputs: dict[str, np.ndarray],
                                embedding: Embedding) -> np.ndarray:
        """(K, H, W) float logits at the image's size."""
        height, width = embedding.original
        if "low_res_masks" in outputs:
            return np.stack([unpad(m, embedding) for m in outputs["low_res_masks"][0]])
        masks = outputs.get("masks")
        if masks is None:
            masks = next(v for v in outputs.values() if v.ndim == 4)
        masks = masks[0].astype(np.float32)
        if masks.shape[-2:] == (height, width):
            return masks
        if masks.shape[-1] == masks.shape[-2]:  # the padded square frame
            return np.stack([unpad(m, embedding) for m in masks])
        return np.stack([cv2.resize(m, (width, height)) for m in masks])

    def _scores(self, outputs: dict[str, np.ndarray], count: int) -> np.ndarray:
        for name in ("iou_predictions", "scores", "iou_preds"):
            if name in outputs:
                return outputs[name].reshape(-1)[:count].astype(np.float32)
        return np.ones(count, dtype=np.float32)

    @staticmethod
    def _pick(scores: np.ndarray, prompt: Prompt) -> int:
        """With several masks (a multimask export), the first is the one SAM makes for an
        unambiguous prompt (a box or several clicks); one click takes the best scored."""
        if len(scores) > 1 and (prompt.box is not None or len(prompt.points) > 1):
            return 0
        return int(np.argmax(scores))


def prompt_arrays(prompt: Prompt, embedding: Embedding) -> tuple[np.ndarray, np.ndarray]:
    """SAM's point_coords (N, 2) in the resized frame and point_labels (N,)."""
    coords = [(p.x, p.y) for p in prompt.points]
    labels = [1.0 if p.positive else 0.0 for p in prompt.points]
    if prompt.box is not None:
        x0, y0, x1, y1 = prompt.box
        coords += [(min(x0, x1), min(y0, y1)), (max(x0, x1), max(y0, y1))]
        labels += [2.0, 3.0]
    else:
        coords.append((0.0, 0.0))  # the padding point SAM's ONNX decoder expects
        labels.append(-1.0)
    (height, width), (new_h, new_w) = embedding.original, embedding.resized
    scale = np.array([new_w / width, new_h / height], dtype=np.float32)
    return np.array(coords, dtype=np.float32) * scale, np.array(labels, dtype=np.float32)


def unpad(logits: np.ndarray, embedding: Embedding) -> np.ndarray:
    """Logits of the padded square frame (any side) -> the image's size: scaled to 1024,
    the padding cropped, scaled to the original (what SAM's own post-processing does)."""
    (height, width), (new_h, new_w) = embedding.original, embedding.resized
    frame = cv2.resize(logits.astype(np.float32), (TARGET, TARGET),
                       interpolation=cv2.INTER_LINEAR)
    return cv2.resize(frame[:new_h, :new_w], (width, height), interpolation=cv2.INTER_LINEAR)
