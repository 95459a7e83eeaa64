"""Imports: a folder of images becomes tasks of a project (`folder.import_folder`), with COCO
predictions as their hypotheses (`coco_hypothesis.CocoHypotheses`)."""
