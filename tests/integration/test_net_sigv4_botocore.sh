#!/usr/bin/env bash
# labels: fast remote
# lpack's SigV4 signer against botocore's on the same requests at a fixed time: S3 (signed and
# UNSIGNED-PAYLOAD bodies, keys needing encoding, session tokens, query strings) and non-S3
# services (Lambda paths that are encoded twice, STS form bodies).
. "$LPACK_TEST_LIB"
. "$LPACK_SOURCE_DIR/tests/servers/servers.sh"

: "${LPACK_REMOTE_PROBE:?set by CTest}"
PY=$(moto_python)
[ -n "$PY" ] || skip "pyenv's Python 3.11.7 with botocore is not installed"

"$PY" - "$LPACK_REMOTE_PROBE" >"$TEST_TMP/out.log" 2>&1 <<'PY' || { cat "$TEST_TMP/out.log"; fail "botocore comparison"; }
import datetime, json, subprocess, sys
from unittest import mock
from botocore.auth import S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

T = 1764417600  # 2025-11-29T12:00:00Z
KEY, SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
cases = [
    dict(method="GET", url="https://lpack-cache.s3.us-east-1.amazonaws.com/team/ac/" + "ab" * 32, s3=True),
    dict(method="HEAD", url="https://s3.eu-west-1.amazonaws.com/my.bucket/cas/" + "cd" * 32, region="eu-west-1", s3=True),
    dict(method="PUT", url="https://b.s3.us-east-1.amazonaws.com/a%20b/c%2Bd~e/%E1%88%B4.zip", s3=True, body="zip bytes",
         headers={"If-None-Match": "*", "Content-Type": "application/octet-stream"}),
    dict(method="PUT", url="https://b.s3.us-east-1.amazonaws.com/k", s3=True, body="x" * 1000, unsigned=True),
    dict(method="GET", url="https://b.s3.us-east-1.amazonaws.com/?list-type=2&prefix=team%2Fac%2F&continuation-token=a%2Bb%3D",
         s3=True, token="FQoGZXIvYXdzEXAMPLE//token+with/slashes="),
    dict(method="POST", url="https://b.s3.us-east-1.amazonaws.com/big.zip?uploads", s3=True),
    dict(method="PUT", url="https://b.s3.us-east-1.amazonaws.com/big.zip?partNumber=2&uploadId=up%2F1", s3=True, body="part"),
    dict(method="GET", url="https://lambda.us-west-2.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A1%3Afunction%3Af/configuration",
         service="lambda", region="us-west-2"),
    dict(method="POST", url="https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/invocations?Qualifier=live",
         service="lambda", body='{"k": "v"}', headers={"Content-Type": "application/json", "X-Amz-Invocation-Type": "Event"},
         token="sessiontoken"),
    dict(method="POST", url="https://sts.us-east-1.amazonaws.com/", service="sts",
         body="Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fr&RoleSessionName=lpack",
         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}),
]
lines, expected = [], []
for c in cases:
    region = c.get("region", "us-east-1")
    service = c.get("service", "s3")
    body = c.get("body", "")
    headers = dict(c.get("headers", {}))
    creds = Credentials(KEY, SECRET, c.get("token"))
    request = AWSRequest(method=c["method"], url=c["url"], data=body.encode(), headers=dict(headers))
    if c.get("s3"):
        auth = S3SigV4Auth(creds, service, region)
        if c.get("unsigned"):
            request.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    else:
        auth = SigV4Auth(creds, service, region)
    now = datetime.datetime.fromtimestamp(T, datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        auth.add_auth(request)
    expected.append(request.headers["Authorization"])
    lines.append(json.dumps(dict(method=c["method"], url=c["url"], headers=headers, body=body, key=KEY, secret=SECRET,
                                 token=c.get("token") or "", region=region, service=service, s3=bool(c.get("s3")),
                                 unsigned=bool(c.get("unsigned")), time=T)))
out = subprocess.run([sys.argv[1], "sign"], input="\n".join(lines) + "\n", capture_output=True, text=True, check=True)
got = out.stdout.splitlines()
bad = 0
for c, e, g in zip(cases, expected, got):
    if e != g:
        bad += 1
        print(f"MISMATCH {c['method']} {c['url']}\n  botocore: {e}\n  lpack:    {g}")
    else:
        print(f"same: {c['method']} {c['url'][:70]}")
if len(got) != len(expected) or bad:
    sys.exit(1)
PY
cat "$TEST_TMP/out.log"
[ "$failures" -eq 0 ] && pass "lpack signs $(grep -c '^same' "$TEST_TMP/out.log") requests exactly as botocore"
exit $((failures > 0))
