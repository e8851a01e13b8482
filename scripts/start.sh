#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The newcomer's first command: install what is missing, build, and show the
# protocol core at work. Until the server exists, "the main job" is the
# sotto-proto driver holding a short scripted conversation between two devices.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh release
echo
echo "== sotto-proto: alice and bob talk through the protocol core (docs/proto-driver.md) =="
scripts/demo-conversation.sh build/release/apps/sotto-proto/sotto-proto
