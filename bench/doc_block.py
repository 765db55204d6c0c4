"""Replaces one generated block of docs/benchmarks.md, keeping the prose around it.

    doc_block.py DOC NAME SCRIPT BODY_FILE HEADING_FILE

The block is "<!-- NAME:begin (written by SCRIPT) -->\\n" BODY "<!-- NAME:end -->". When DOC has
no such block yet, the contents of HEADING_FILE (the section's title and introduction) and
the block are appended. The bench scripts share this, so every block is delimited alike.
"""
import os
import sys

doc, name, script, body_file, heading_file = sys.argv[1:]
body = open(body_file).read()
begin, end = f"<!-- {name}:begin (written by {script}) -->", f"<!-- {name}:end -->"
text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
if begin in text and end in text:
    head, rest = text.split(begin, 1)
    text = head + begin + "\n" + body + rest[rest.index(end):]
else:
    text = text.rstrip("\n") + "\n\n" + open(heading_file).read() + f"{begin}\n{body}{end}\n"
open(doc, "w").write(text)
