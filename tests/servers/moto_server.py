#!/usr/bin/env python3
"""moto's S3/STS/IAM/Lambda server for lpack's tests, with SigV4 enforced.

Run with the Python that has moto 5.2.1 (pyenv 3.11.7; tests/servers/servers.sh finds it):

    moto_server.py STATE_FILE

It listens on 127.0.0.1 on a free port, then uses its first unauthenticated requests
(INITIAL_NO_AUTH_ACTION_COUNT) to create an IAM user with an allow-all inline policy and an
access key, and writes STATE_FILE (shell syntax, mode 0600):

    MOTO_PORT=...  MOTO_ENDPOINT=http://127.0.0.1:...  MOTO_ACCESS_KEY_ID=...  MOTO_SECRET_ACCESS_KEY=...

From then on every request must be signed with that key (a wrong secret gets
SignatureDoesNotMatch). It runs until killed (SIGTERM/SIGINT).

moto 5.2.1 rejects every correctly signed GET: its check signs the header dict as the payload
of a request without a body and uses a percent-decoded query string. The patch below (the
only change to moto) gives such requests an empty payload and re-encodes the query the way
SigV4 canonicalises it. And with authentication on, moto 5.2.1 fails with a 500 on an
unsigned request; STS's AssumeRoleWithWebIdentity is unsigned by design (the OIDC token is the
credential), so the second patch lets exactly that call through unauthenticated, as AWS does.
"""
import os
import signal
import sys
import threading
from urllib.parse import quote, unquote

NO_AUTH_ACTIONS = 3  # CreateUser, PutUserPolicy, CreateAccessKey
os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = str(NO_AUTH_ACTIONS)
os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")
for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
    os.environ.pop(name, None)

import boto3  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from moto.core import authorization  # noqa: E402
from moto.iam import access_control  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402


def _reencoded(path):
    base, sep, query = path.partition("?")
    if not sep:
        return path
    pairs = []
    for item in query.split("&"):
        if not item:
            continue
        key, eq, value = item.partition("=")
        pairs.append(quote(unquote(key), safe="-_.~") + "=" + quote(unquote(value), safe="-_.~"))
    return base + "?" + "&".join(pairs)


def _create_aws_request(self):
    signed = self._get_string_between("SignedHeaders=", ",", self._headers["Authorization"]).split(";")
    headers = self._create_headers_for_aws_request(signed, self._headers)
    if self._body:
        data = self._body
    elif isinstance(self._data, dict) and "x-www-form-urlencoded" in str(self._headers.get("Content-Type", "")):
        data = self._data
    else:
        data = b""
    request = AWSRequest(method=self._method, url=_reencoded(self._path), data=data, headers=headers)
    request.context["timestamp"] = headers["X-Amz-Date"]
    return request


access_control.IAMRequestBase._create_aws_request = _create_aws_request

_UNSIGNED_ACTIONS = {"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}
_original_authenticate = authorization.ActionAuthenticatorMixin._authenticate_and_authorize_action


def _authenticate_and_authorize_action(self, iam_request_cls, resource="*"):
    if "Authorization" not in self.headers and self._get_action() in _UNSIGNED_ACTIONS:
        return
    return _original_authenticate(self, iam_request_cls, resource)


authorization.ActionAuthenticatorMixin._authenticate_and_authorize_action = _authenticate_and_authorize_action


def main():
    state_file = sys.argv[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://127.0.0.1:{port}"
    iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                       aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam.create_user(UserName="lpack-test")
    iam.put_user_policy(UserName="lpack-test", PolicyName="all",
                        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}')
    key = iam.create_access_key(UserName="lpack-test")["AccessKey"]
    tmp = state_file + ".tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"MOTO_PORT={port}\nMOTO_ENDPOINT={endpoint}\n"
                f"MOTO_ACCESS_KEY_ID={key['AccessKeyId']}\nMOTO_SECRET_ACCESS_KEY={key['SecretAccessKey']}\n")
    os.rename(tmp, state_file)
    print(port, flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop()


if __name__ == "__main__":
    main()
