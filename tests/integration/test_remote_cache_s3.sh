#!/usr/bin/env bash
# labels: remote
# net/'s S3 client and the s3:// remote cache against moto's S3 with SigV4 enforced: object
# operations (multipart included), a wrong secret refused as unauthorized without leaking it,
# two "machines" (own HOME and local cache each) sharing one bucket, read-only mode, and
# credentials from STS AssumeRoleWithWebIdentity.
. "$LPACK_TEST_LIB"
. "$LPACK_SOURCE_DIR/tests/servers/servers.sh"
: "${LPACK_REMOTE_PROBE:?set by CTest}"
need curl

start_moto
probe() { "$LPACK_REMOTE_PROBE" "$@"; }
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_WEB_IDENTITY_TOKEN_FILE AWS_ROLE_ARN AWS_ENDPOINT_URL_S3 || true
export AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1 AWS_ENDPOINT_URL="$MOTO_ENDPOINT"
export AWS_ACCESS_KEY_ID="$MOTO_ACCESS_KEY_ID" AWS_SECRET_ACCESS_KEY="$MOTO_SECRET_ACCESS_KEY"
export HOME="$TEST_TMP/home-a"
mkdir -p "$HOME"

expect_exit 0 "create bucket" -- probe s3 mb lpack-team
head -c 100000 /dev/urandom >"$TEST_TMP/small.bin"
expect_exit 0 "put an object" -- probe s3 put lpack-team dir/small.bin "$TEST_TMP/small.bin"
expect_exit 0 "get it back" -- probe s3 get lpack-team dir/small.bin "$TEST_TMP/small.out"
cmp -s "$TEST_TMP/small.bin" "$TEST_TMP/small.out" && pass "same bytes" || fail "GET returned other bytes"
expect_exit 0 "head" -- probe s3 head lpack-team dir/small.bin
expect_output_contains "head size" "size 100000"
expect_exit 3 "head of an absent object" -- probe s3 head lpack-team dir/none
expect_output_contains "absent" "absent"
expect_exit 0 "write-once put of an existing key" -- probe s3 put --if-none-match lpack-team dir/small.bin "$TEST_TMP/small.bin"
expect_output_contains "412 is already-exists" "exists"

head -c $((20 * 1024 * 1024 + 12345)) /dev/urandom >"$TEST_TMP/big.bin"
expect_exit 0 "multipart put (20 MiB, 5 MiB parts)" -- probe s3 put lpack-team dir/big.bin "$TEST_TMP/big.bin"
expect_exit 0 "multipart get" -- probe s3 get lpack-team dir/big.bin "$TEST_TMP/big.out"
cmp -s "$TEST_TMP/big.bin" "$TEST_TMP/big.out" && pass "multipart object has the same bytes" || fail "multipart bytes differ"
expect_exit 0 "list" -- probe s3 list lpack-team dir/
expect_output_contains "list shows both" "dir/big.bin $((20 * 1024 * 1024 + 12345))"
expect_exit 0 "delete" -- probe s3 rm lpack-team dir/small.bin
expect_exit 3 "deleted is absent" -- probe s3 head lpack-team dir/small.bin

# A wrong secret: SignatureDoesNotMatch, typed unauthorized, and the secret in no output.
AWS_SECRET_ACCESS_KEY="wrong-secret-value" expect_exit 1 "wrong secret is refused" -- probe s3 get lpack-team dir/big.bin "$TEST_TMP/x"
expect_output_contains "typed unauthorized" "error (unauthorized)"
expect_output_contains "service's error code" "SignatureDoesNotMatch"
if grep -qF -e "wrong-secret-value" -e "$MOTO_SECRET_ACCESS_KEY" -e "$MOTO_ACCESS_KEY_ID" "$TEST_TMP/last.log"; then
  fail "a credential appears in the output"
else pass "no credential in the error"; fi

# Two machines sharing the bucket through the cache: A writes, B reads (own HOME and cache).
KEY=$(printf 'action one' | sha256sum | cut -d' ' -f1)
head -c 3000000 /dev/urandom >"$TEST_TMP/artifact.zip"
expect_exit 0 "machine A stores and uploads" -- probe cache put --write --local "$TEST_TMP/cache-a" --remote s3://lpack-team/ci "$KEY" "$TEST_TMP/artifact.zip"
expect_output_contains "one upload" "uploads=1"
export HOME="$TEST_TMP/home-b"
mkdir -p "$HOME"
expect_exit 0 "machine B gets a remote hit" -- probe cache get --local "$TEST_TMP/cache-b" --remote s3://lpack-team/ci "$KEY" "$TEST_TMP/b.zip"
expect_output_contains "remote hit" "hit remote"
cmp -s "$TEST_TMP/artifact.zip" "$TEST_TMP/b.zip" && pass "B's artifact is A's bytes" || fail "B's artifact differs"
expect_exit 0 "then a local hit" -- probe cache get --local "$TEST_TMP/cache-b" --remote s3://lpack-team/ci "$KEY" "$TEST_TMP/b2.zip"
expect_output_contains "local hit" "hit local"
expect_exit 0 "the layout" -- probe s3 list lpack-team ci/
expect_output_contains "ac entry" "ci/ac/$KEY"
expect_output_contains "cas blob" "ci/cas/$(sha256sum "$TEST_TMP/artifact.zip" | cut -d' ' -f1) 3000000"

# Read-only: a miss builds locally and uploads nothing.
KEY2=$(printf 'action two' | sha256sum | cut -d' ' -f1)
expect_exit 3 "read-only miss" -- probe cache get --local "$TEST_TMP/cache-b" --remote s3://lpack-team/ci "$KEY2" "$TEST_TMP/x"
expect_exit 0 "read-only store" -- probe cache put --local "$TEST_TMP/cache-b" --remote s3://lpack-team/ci "$KEY2" "$TEST_TMP/small.bin"
expect_exit 3 "nothing was uploaded" -- probe s3 head lpack-team "ci/ac/$KEY2"

# A wrong secret switches the remote cache off with one warning; the lookup is a miss.
AWS_SECRET_ACCESS_KEY="wrong-secret-value" expect_exit 3 "unauthorized remote is a miss" -- probe cache get --local "$TEST_TMP/cache-c" --remote s3://lpack-team/ci "$KEY" "$TEST_TMP/x"
expect_output_contains "switched off, unauthorized" "switched off for this run (unauthorized)"
grep -qF "wrong-secret-value" "$TEST_TMP/last.log" && fail "secret in the warning" || pass "no secret in the warning"

# Web identity (GitHub Actions' OIDC path): STS AssumeRoleWithWebIdentity on moto, unsigned.
PY=$(moto_python)
ROLE_ARN=$("$PY" - <<PY
import boto3, json
iam = boto3.client("iam", endpoint_url="$MOTO_ENDPOINT", region_name="us-east-1",
                   aws_access_key_id="$MOTO_ACCESS_KEY_ID", aws_secret_access_key="$MOTO_SECRET_ACCESS_KEY")
trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
         "Principal": {"Federated": "token.actions.githubusercontent.com"}}]}
role = iam.create_role(RoleName="gha-cache", AssumeRolePolicyDocument=json.dumps(trust))["Role"]
iam.put_role_policy(RoleName="gha-cache", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
print(role["Arn"])
PY
)
echo "oidc-token-$RANDOM$RANDOM" >"$TEST_TMP/oidc-token"
(
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  export AWS_WEB_IDENTITY_TOKEN_FILE="$TEST_TMP/oidc-token" AWS_ROLE_ARN="$ROLE_ARN" AWS_ROLE_SESSION_NAME=ci-run
  expect_exit 0 "web identity credentials" -- probe creds
  expect_output_contains "source" "source web identity ($ROLE_ARN)"
  expect_output_contains "temporary key" "key ASIA"
  expect_exit 0 "the cache reads with them" -- probe cache get --local "$TEST_TMP/cache-d" --remote s3://lpack-team/ci "$KEY" "$TEST_TMP/d.zip"
  expect_output_contains "remote hit with assumed credentials" "hit remote"
  exit $((failures > 0))
) || fail "web identity"

exit $((failures > 0))
