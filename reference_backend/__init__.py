"""A reference model backend for annotator's Assist tool and prelabels (docs/assist.md).

`python -m reference_backend --host 127.0.0.1 --port 9090` serves two protocols on one port:
annotator's own (`/health`, `/predict`, `/interact`, JSON in image pixels) and Label Studio's
ML-backend protocol (`/health`, `/setup`, `/predict` with percent coordinates). With
ANNOTATOR_SAM_ENCODER and ANNOTATOR_SAM_DECODER naming SAM-family ONNX files it runs them
with ONNX Runtime on the CPU (`sam.py`); without them it serves annotator's built-in OpenCV
assists (`tasks/assist/cv.py`) and a small demonstration detector (`detector.py`).

The package imports no Django: it is a separate process that may run on another machine.
"""
