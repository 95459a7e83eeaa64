"""The SAM runner (reference_backend/sam.py) on the two export variants the tiny models
imitate, and its embedding cache; in this process."""

from __future__ import annotations

import numpy as np
import pytest

from reference_backend.model import Image, NothingFound, Point, Prompt
from reference_backend.sam import SamOnnx
from tests.reference_backend import tiny_sam

WIDTH, HEIGHT = 400, 700  # portrait: the resized frame is padded on the right


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sam-variants")
    official = SamOnnx(tiny_sam.build_encoder(folder / "enc.onnx"),
                       tiny_sam.build_decoder(folder / "dec.onnx"))
    preprocess = SamOnnx(tiny_sam.build_preprocess_encoder(folder / "enc-pre.onnx"),
                         tiny_sam.build_multimask_decoder(folder / "dec-multi.onnx"))
    return {"official": official, "preprocess": preprocess}


def image(seed: int) -> Image:
    pixels = np.random.default_rng(seed).integers(0, 255, (HEIGHT, WIDTH, 3), dtype=np.uint8)
    return Image(pixels=pixels, digest=f"image-{seed}")


@pytest.mark.parametrize("variant", ["official", "preprocess"])
def test_each_variant_draws_the_square_around_a_click(models, variant):
    model = models[variant]
    region = model.interact(image(1), Prompt(points=(Point(150, 420),)), max_vertices=None)
    xs, ys = [x for x, _ in region.vertices], [y for _, y in region.vertices]
    expected = tiny_sam.expected_square(150, 420, WIDTH, HEIGHT)
    for got, want in zip((min(xs), min(ys), max(xs), max(ys)), expected, strict=True):
        assert abs(got - want) <= 2.0
    # The multimask decoder's best scored mask is the square (its 0.95), not the 0.5 one.
    assert region.score == pytest.approx(0.9 if variant == "official" else 0.95)


def test_the_variants_are_told_apart_by_their_signatures(models):
    assert models["official"].encoder_rank == 4
    assert "orig_im_size" in models["official"].decoder_inputs
    assert models["preprocess"].encoder_rank == 3
    assert "orig_im_size" not in models["preprocess"].decoder_inputs


def test_the_embedding_is_computed_once_per_image(models):
    model = models["official"]
    first = model.embed(image(2))
    assert model.embed(image(2)) is first
    assert model.embed(image(3)) is not first


def test_a_prompt_outside_the_frame_finds_nothing(models):
    # A box in the padding (right of a portrait image's resized frame): the mask is empty.
    model = models["official"]
    with pytest.raises(NothingFound):
        model.interact(image(4), Prompt(points=(Point(-500, -500),)), max_vertices=None)


def test_max_vertices_is_kept(models):
    region = models["official"].interact(image(5), Prompt(points=(Point(200, 350),)),
                                         max_vertices=3)
    assert len(region.vertices) == 3
