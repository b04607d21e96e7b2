"""The package's messages in the command line's words.

The auths' errors speak to a Python caller (``allow_insecure_http=True``, "the
constructor") and the verifiers cite sections of the signing specs, which a command-line
user has not got; the command line says the option to pass and leaves citations out (its
output ends with a link to the scheme's docs page instead).
"""

from __future__ import annotations

import re

# What the auths' errors call a constructor argument, and the option it is on the command line.
_CLI_WORDS = (
    ("pass allow_insecure_http=True to the auth", "pass --allow-insecure-http"),
    ("allow_insecure_http=True", "--allow-insecure-http"),
    ("recv_window", "--recv-window"),
    ("on_cross_origin_redirect='strip'", "another URL"),
    ("or pass them to the constructor", "or pass --key-file PATH"),
)

# "(§4)", "(§1-2)", "(§1-§4)" on their own, or ", §4" closing a parenthesis: a citation.
_CITATION = re.compile(r" ?\(§[-§\d ,]*\)|, §[-§\d]*(?=\))")


def in_cli_words(message: str) -> str:
    """``message`` with the command line's options for constructor arguments, uncited."""
    for words, option in _CLI_WORDS:
        message = message.replace(words, option)
    return _CITATION.sub("", message)
