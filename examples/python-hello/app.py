"""A small Lambda handler with a native dependency, to show an arm64 build."""

import lpack_cext
import lpack_pure


def lambda_handler(event, context):
    a = int(event.get("a", 2))
    b = int(event.get("b", 3))
    return {
        "sum": lpack_cext.add(a, b),
        "built_for": lpack_cext.machine(),
        "greeting": lpack_pure.greet(event.get("name", "lambda")),
    }
