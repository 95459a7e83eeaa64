"""Assisted labelling: image-aware shapes from a prompt (docs/assist.md).

`cv` holds the built-in OpenCV assists (pure, no Django); `providers` chooses who answers an
assist for a project; `views` is the workbench endpoint.
"""
