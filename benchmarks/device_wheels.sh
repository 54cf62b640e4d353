#!/usr/bin/env bash
# The wheels the device check needs beyond what the GPU machine's image holds (it has torch,
# torch_geometric, numpy, scipy, pandas, networkx, matplotlib, pytest and scikit-learn; it
# cannot reach a package registry): the neo4j driver (imported by neo4j_gml) and igraph (some
# algorithms' CPU back end). Downloads them, for the image's Python 3.12, into .whl/ (ignored
# by git) here; the device run then carries .whl and starts with
#   python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl
#   export PYTHONPATH=/tmp/site:.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .whl
python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
  --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 -d .whl neo4j==6.4.1 igraph==1.0.0 texttable==1.7.2 pytz
ls -la .whl
# The SNAP edge lists travel too (../shared is not sent): copied into .device-data/ (ignored),
# read with --snap-dir .device-data/snap.
if [ -d ../shared/data/snap ]; then
  mkdir -p .device-data/snap
  cp ../shared/data/snap/*.txt .device-data/snap/
fi
du -sh .whl .device-data 2>/dev/null || true
