"""A tiny stand-in for Segment Anything, built with onnx.helper: the same input and output
names and shapes as the real exports (reference_backend/sam.py), no weights to download.

- the encoder averages the image into a [1, 256, 64, 64] "embedding";
- the decoder's mask is a square of half-side `HALF` (in the encoder's 1024 frame) around
  the prompt's centre: the mean of its points whose label is not -1 (padding), so a click's
  square is around the click and a box's around the box's centre. Its logits are the signed
  distance to the square's edge, so SAM's bilinear scaling keeps the edge where it is.

Two export variants: "official" (encoder [1, 3, 1024, 1024]; decoder with `orig_im_size`,
outputs masks at the image's size, iou_predictions, low_res_masks) and "preprocess"
(encoder [H, W, 3]; decoder without `orig_im_size`, two low-resolution masks of which the
second is the square and scores best).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HALF = 100.0  # the square's half-side, in the 1024 frame
OPSET = 17


def const(name: str, value: np.ndarray | np.generic | float | int) -> onnx.NodeProto:
    array = np.asarray(value)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    return helper.make_node("Constant", [], [name], value=numpy_helper.from_array(array, name))


def node(op: str, inputs: list[str], output: str, **attrs: Any) -> onnx.NodeProto:
    return helper.make_node(op, inputs, [output], **attrs)


def save(nodes: list[onnx.NodeProto], inputs: list[onnx.ValueInfoProto],
         outputs: list[onnx.ValueInfoProto], path: Path) -> Path:
    graph = helper.make_graph(nodes, "tiny_sam", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def tensor(name: str, shape: list[int | str]) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


# --- encoders ---------------------------------------------------------------------------

def build_encoder(path: Path) -> Path:
    """[1, 3, 1024, 1024] -> 16 x 16 average pooling -> a 1 x 1 convolution to 256 channels."""
    nodes = [
        node("AveragePool", ["image"], "pooled", kernel_shape=[16, 16], strides=[16, 16]),
        const("weights", np.full((256, 3, 1, 1), 1 / 3, dtype=np.float32)),
        node("Conv", ["pooled", "weights"], "image_embeddings"),
    ]
    return save(nodes, [tensor("image", [1, 3, 1024, 1024])],
                [tensor("image_embeddings", [1, 256, 64, 64])], path)


def build_preprocess_encoder(path: Path) -> Path:
    """[H, W, 3] (the resized image, preprocessing inside) -> its mean, spread to the
    embedding's shape."""
    nodes = [
        node("ReduceMean", ["input_image"], "mean", keepdims=0),
        const("shape", np.array([1, 256, 64, 64], dtype=np.int64)),
        node("Expand", ["mean", "shape"], "image_embeddings"),
    ]
    return save(nodes, [tensor("input_image", ["h", "w", 3])],
                [tensor("image_embeddings", [1, 256, 64, 64])], path)


# --- decoders ---------------------------------------------------------------------------

def centre_nodes() -> list[onnx.NodeProto]:
    """px, py [1, 1, 1, 1]: the mean of the prompt points not labelled -1."""
    return [
        const("zero", np.float32(0.0)),
        node("GreaterOrEqual", ["point_labels", "zero"], "used"),
        node("Cast", ["used"], "weight", to=TensorProto.FLOAT),
        const("axis2", np.array([2], dtype=np.int64)),
        node("Unsqueeze", ["weight", "axis2"], "weight3"),
        node("Mul", ["point_coords", "weight3"], "weighted"),
        const("axis1", np.array([1], dtype=np.int64)),
        node("ReduceSum", ["weighted", "axis1"], "total", keepdims=0),
        node("ReduceSum", ["weight3", "axis1"], "count", keepdims=0),
        node("Div", ["total", "count"], "centre"),
        const("i0", np.int64(0)),
        const("i1", np.int64(1)),
        const("shape4", np.array([1, 1, 1, 1], dtype=np.int64)),
        node("Gather", ["centre", "i0"], "px1", axis=1),
        node("Gather", ["centre", "i1"], "py1", axis=1),
        node("Reshape", ["px1", "shape4"], "px"),
        node("Reshape", ["py1", "shape4"], "py"),
        # The embedding takes part (times zero): the decoder reads what the encoder made.
        node("ReduceMean", ["image_embeddings"], "emb_mean", keepdims=0),
        node("Mul", ["emb_mean", "zero"], "emb_zero"),
    ]


def square_nodes(xs: str, ys: str, half: float, out: str) -> list[onnx.NodeProto]:
    """out = min(half - |xs - px|, half - |ys - py|) + 0 * embedding (broadcast)."""
    tag = out
    return [
        const(f"{tag}_half", np.float32(half)),
        node("Sub", [xs, "px"], f"{tag}_dx"),
        node("Abs", [f"{tag}_dx"], f"{tag}_adx"),
        node("Sub", [f"{tag}_half", f"{tag}_adx"], f"{tag}_lx"),
        node("Sub", [ys, "py"], f"{tag}_dy"),
        node("Abs", [f"{tag}_dy"], f"{tag}_ady"),
        node("Sub", [f"{tag}_half", f"{tag}_ady"], f"{tag}_ly"),
        node("Min", [f"{tag}_lx", f"{tag}_ly"], f"{tag}_raw"),
        node("Add", [f"{tag}_raw", "emb_zero"], out),
    ]


def low_res_grid() -> list[onnx.NodeProto]:
    """The 256 x 256 grid's cell centres in the 1024 frame."""
    centres = (np.arange(256, dtype=np.float32) * 4 + 2)
    return [const("gx", centres.reshape(1, 1, 1, 256)),
            const("gy", centres.reshape(1, 1, 256, 1))]


def full_size_grid() -> list[onnx.NodeProto]:
    """The image's pixel centres in the 1024 frame: (i + 0.5) * 1024 / max(H, W)."""
    return [
        node("Gather", ["orig_im_size", "i0"], "height"),
        node("Gather", ["orig_im_size", "i1"], "width"),
        node("Max", ["height", "width"], "long_side"),
        const("target", np.float32(1024.0)),
        node("Div", ["target", "long_side"], "scale"),
        const("one", np.float32(1.0)),
        const("halfpx", np.float32(0.5)),
        node("Range", ["zero", "height", "one"], "rows"),
        node("Range", ["zero", "width", "one"], "cols"),
        node("Add", ["rows", "halfpx"], "rows_c"),
        node("Add", ["cols", "halfpx"], "cols_c"),
        node("Mul", ["rows_c", "scale"], "rows_s"),
        node("Mul", ["cols_c", "scale"], "cols_s"),
        const("col_shape", np.array([1, 1, -1, 1], dtype=np.int64)),
        const("row_shape", np.array([1, 1, 1, -1], dtype=np.int64)),
        node("Reshape", ["rows_s", "col_shape"], "fy"),
        node("Reshape", ["cols_s", "row_shape"], "fx"),
    ]


def decoder_inputs(*, with_size: bool) -> list[onnx.ValueInfoProto]:
    inputs = [tensor("image_embeddings", [1, 256, 64, 64]), tensor("point_coords", [1, "n", 2]),
              tensor("point_labels", [1, "n"]), tensor("mask_input", [1, 1, 256, 256]),
              tensor("has_mask_input", [1])]
    return [*inputs, tensor("orig_im_size", [2])] if with_size else inputs


def build_decoder(path: Path) -> Path:
    nodes = [*centre_nodes(), *low_res_grid(), *full_size_grid(),
             *square_nodes("gx", "gy", HALF, "low_res_masks"),
             *square_nodes("fx", "fy", HALF, "masks"),
             const("iou_predictions", np.array([[0.9]], dtype=np.float32))]
    outputs = [tensor("masks", [1, 1, "H", "W"]), tensor("iou_predictions", [1, 1]),
               tensor("low_res_masks", [1, 1, 256, 256])]
    return save(nodes, decoder_inputs(with_size=True), outputs, path)


def build_multimask_decoder(path: Path) -> Path:
    nodes = [*centre_nodes(), *low_res_grid(),
             *square_nodes("gx", "gy", HALF / 2, "small"),
             *square_nodes("gx", "gy", HALF, "big"),
             node("Concat", ["small", "big"], "masks", axis=1),
             const("iou_predictions", np.array([[0.5, 0.95]], dtype=np.float32))]
    outputs = [tensor("masks", [1, 2, 256, 256]), tensor("iou_predictions", [1, 2])]
    return save(nodes, decoder_inputs(with_size=False), outputs, path)


def expected_square(x: float, y: float, width: int, height: int) -> tuple[float, ...]:
    """The square the decoder draws around (x, y), in image pixels: (x0, y0, x1, y1)."""
    half = HALF * max(width, height) / 1024
    return x - half, y - half, x + half, y + half
