#!/usr/bin/env bash
# Builds the three source trees bench/pack.sh zips, under bench/scratch/pack/ (git-ignored):
#   node/node_modules/  a real Lambda-style node_modules (~11k files) from the npm registry
#   botocore/tree/      boto3 + botocore + s3transfer + dateutil (~2k files), copied from a
#                       local Python that has botocore, else generated in its shape
#   small_files/tree/   50,000 small text files generated from a fixed seed
# Each tree is built once; delete its folder (or bench/scratch/pack/) to rebuild it.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
work=${LPACK_BENCH_WORK:-$here/scratch/pack}
mkdir -p "$work"

python=$(python3 -c 'import sys; print(sys.executable)')

# (a) node_modules from the npm registry. The package set is what a typical API function
# ships: two AWS SDK v3 clients, a web framework, validation and utility libraries.
make_node_modules() {
  local dir=$work/node
  if [[ -f $dir/.complete ]]; then return; fi
  rm -rf "$dir"
  mkdir -p "$dir"
  cat >"$dir/package.json" <<'EOF'
{
  "name": "lpack-bench-node",
  "version": "1.0.0",
  "private": true,
  "dependencies": {
    "@aws-sdk/client-s3": "^3.600.0",
    "@aws-sdk/client-dynamodb": "^3.600.0",
    "express": "^4.19.0",
    "zod": "^3.23.0",
    "lodash": "^4.17.21",
    "date-fns": "^3.6.0",
    "axios": "^1.7.0"
  }
}
EOF
  echo "make_trees: npm install into $dir (once)" >&2
  (cd "$dir" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
  touch "$dir/.complete"
}

# (b) a botocore-sized Python tree.
make_botocore() {
  local dir=$work/botocore
  if [[ -f $dir/.complete ]]; then return; fi
  rm -rf "$dir"
  mkdir -p "$dir/tree"
  local botocore
  if botocore=$("$python" -c 'import botocore, os; print(os.path.dirname(botocore.__file__))' 2>/dev/null); then
    echo "make_trees: copying botocore and friends from $(dirname "$botocore")" >&2
    local site
    site=$(dirname "$botocore")
    for pkg in botocore boto3 s3transfer dateutil; do
      if [[ -d $site/$pkg ]]; then
        (cd "$site" && tar --exclude=__pycache__ --exclude='*.pyc' -cf - "$pkg") | tar -C "$dir/tree" -xf -
      fi
    done
  else
    echo "make_trees: no local botocore; generating a tree of its shape" >&2
    "$python" - "$dir/tree" <<'EOF'
import gzip, json, os, random, sys
root = sys.argv[1]
rng = random.Random(2)
words = ["client", "request", "response", "shape", "member", "operation", "paginator",
         "waiter", "endpoint", "region", "credentials", "signature", "exception", "string"]
for i in range(550):
    svc = os.path.join(root, "botocore", "data", "service%03d" % i, "2020-01-01")
    os.makedirs(svc, exist_ok=True)
    model = {"operations": {"Op%d" % j: {"input": {"shape": rng.choice(words)},
                                          "documentation": " ".join(rng.choices(words, k=40))}
                            for j in range(rng.randint(5, 80))}}
    data = json.dumps(model, indent=1, sort_keys=True).encode()
    with open(os.path.join(svc, "service-2.json.gz"), "wb") as f:
        f.write(gzip.compress(data, mtime=0))
    with open(os.path.join(svc, "paginators-1.json"), "w") as f:
        json.dump({"pagination": {}}, f)
    with open(os.path.join(svc, "endpoint-rule-set-1.json.gz"), "wb") as f:
        f.write(gzip.compress(data[: len(data) // 3], mtime=0))
for pkg, n in (("botocore", 200), ("boto3", 60), ("s3transfer", 30), ("dateutil", 40)):
    for j in range(n):
        path = os.path.join(root, pkg, "sub%d" % (j % 7), "module%03d.py" % j)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            for k in range(rng.randint(20, 900)):
                f.write("def %s_%d(self, %s):\n    return self._%s(%d)\n" %
                        (rng.choice(words), k, rng.choice(words), rng.choice(words), k))
EOF
  fi
  touch "$dir/.complete"
}

# (c) 50,000 small files: 500 folders of 100 files of 50-2,000 bytes of text.
make_small_files() {
  local dir=$work/small_files
  if [[ -f $dir/.complete ]]; then return; fi
  rm -rf "$dir"
  mkdir -p "$dir/tree"
  echo "make_trees: generating 50,000 small files" >&2
  "$python" - "$dir/tree" <<'EOF'
import os, random, sys
root = sys.argv[1]
rng = random.Random(3)
words = [w for w in """lambda handler event context bucket object table item key value
request response error retry timeout region account function layer runtime arch deploy
build cache zip hash file folder module package import export const return async await""".split()]
for d in range(500):
    folder = os.path.join(root, "pkg%03d" % d)
    os.makedirs(folder)
    for f in range(100):
        size = rng.randint(50, 2000)
        text = []
        n = 0
        while n < size:
            w = rng.choice(words)
            text.append(w)
            n += len(w) + 1
        with open(os.path.join(folder, "file%03d.js" % f), "w") as out:
            out.write(" ".join(text)[:size] + "\n")
EOF
  touch "$dir/.complete"
}

make_node_modules
make_botocore
make_small_files
