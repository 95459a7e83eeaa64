"""The settings of the scale tests' server processes: the real ones, with one change.

Fifty taskers are created and log in at once on a 2-core machine; with PBKDF2 (about 0.4 s a
password) that would only measure the CPU, so their passwords are hashed fast here.
"""

from annotator.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
