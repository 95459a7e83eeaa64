"""`python -m reference_backend --host 127.0.0.1 --port 9090` (docs/assist.md, "Reference
backend")."""

from __future__ import annotations

import argparse
import logging
import os

from .model import Model
from .server import make_server

log = logging.getLogger("reference_backend")


def load_model() -> Model:
    """SAM when ANNOTATOR_SAM_ENCODER and ANNOTATOR_SAM_DECODER are both set, else the
    OpenCV assists. One of the two set alone is a mistake worth stopping for."""
    encoder = os.environ.get("ANNOTATOR_SAM_ENCODER", "")
    decoder = os.environ.get("ANNOTATOR_SAM_DECODER", "")
    if encoder and decoder:
        from .sam import SamOnnx

        return SamOnnx(encoder, decoder)
    if encoder or decoder:
        raise SystemExit("set both ANNOTATOR_SAM_ENCODER and ANNOTATOR_SAM_DECODER, or neither")
    from .opencv_model import OpenCvModel

    return OpenCvModel()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reference_backend", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument("--workers", type=int, default=2,
                        help="requests that run the model at once (default 2)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    model = load_model()
    server = make_server(model, args.host, args.port, workers=args.workers)
    host, port = server.server_address[:2]
    log.info("serving %s (%s) on http://%s:%s", model.name, model.model_version, host, port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
