#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Drives a sotto-proto driver through a short conversation between two devices
# and prints what happens at each step. Usage: demo-conversation.sh <driver>
set -euo pipefail
driver="${1:?usage: demo-conversation.sh <path-to-sotto-proto>}"
command -v jq >/dev/null || { echo "demo needs jq (scripts/install-deps.sh installs it)" >&2; exit 1; }

coproc DRIVER { "$driver"; }
trap 'exec {DRIVER[1]}>&-; wait "$DRIVER_PID" 2>/dev/null || true' EXIT

# Sends one JSON request, prints nothing, leaves the response in $reply.
call() {
  printf '%s\n' "$1" >&"${DRIVER[1]}"
  IFS= read -r reply <&"${DRIVER[0]}"
  if [ "$(jq -r .ok <<<"$reply")" != "true" ]; then
    echo "  driver refused: $(jq -c .error <<<"$reply")"
    return 1
  fi
}
b64() { printf '%s' "$1" | base64 -w0; }
unb64() { base64 -d <<<"$1"; }

alice='{"name":"alice","device":1}'
bob='{"name":"bob","device":1}'

call '{"op":"party.new","party":"alice","address":'"$alice"',"registration_id":1001,"version":3}'
echo "alice's identity key: $(jq -r .identity_key <<<"$reply")"
call '{"op":"party.new","party":"bob","address":'"$bob"',"registration_id":2002,"version":3}'
echo "bob's identity key:   $(jq -r .identity_key <<<"$reply")"

call '{"op":"prekeys.generate","party":"bob","signed_prekey_id":1,"one_time_prekey_id":7}'
bundle=$(jq -c .bundle <<<"$reply")
echo "bob publishes a prekey bundle (signed prekey 1, one-time prekey 7)"
call '{"op":"session.from_bundle","party":"alice","peer":'"$bob"',"bundle":'"$bundle"'}'
echo "alice verifies the bundle and starts a session (X3DH)"

send() {  # from to-address text
  call '{"op":"encrypt","party":"'"$1"'","peer":'"$2"',"plaintext":"'"$(b64 "$3")"'"}' || return 1
  type=$(jq -r .type <<<"$reply"); ciphertext=$(jq -r .ciphertext <<<"$reply")
  echo "$1 -> \"$3\"  ($type message, $(unb64 "$ciphertext" | wc -c) bytes)"
}
receive() {  # who from-address
  call '{"op":"decrypt","party":"'"$1"'","peer":'"$2"',"type":"'"$type"'","ciphertext":"'"$ciphertext"'"}' || return 1
  echo "   $1 reads: \"$(unb64 "$(jq -r .plaintext <<<"$reply")")\""
}

send alice "$bob" "Hi Bob, this is end-to-end encrypted."; receive bob "$alice"
send bob "$alice" "Hi Alice! Only our two devices can read this."; receive alice "$bob"
send alice "$bob" "Each reply turns the ratchet: new keys every time."; receive bob "$alice"
echo "an attacker replays that last message to bob:"
receive bob "$alice" && { echo "replay was accepted: this is a bug" >&2; exit 1; }

alice_key=$(jq -r .identity_key <<<"$(printf '%s\n' '{"op":"identity.get","party":"bob","peer":'"$alice"'}' >&"${DRIVER[1]}"; IFS= read -r r <&"${DRIVER[0]}"; echo "$r")")
bob_key=$(jq -r .identity_key <<<"$(printf '%s\n' '{"op":"identity.get","party":"alice","peer":'"$bob"'}' >&"${DRIVER[1]}"; IFS= read -r r <&"${DRIVER[0]}"; echo "$r")")
call '{"op":"fingerprint","party":"alice","local_id":"'"$(b64 alice)"'","remote_id":"'"$(b64 bob)"'","remote_identity_key":"'"$bob_key"'","iterations":5200,"version":1}'
echo "safety number on alice's phone: $(jq -r .displayable <<<"$reply" | sed -E 's/(.{5})/\1 /g')"
call '{"op":"fingerprint","party":"bob","local_id":"'"$(b64 bob)"'","remote_id":"'"$(b64 alice)"'","remote_identity_key":"'"$alice_key"'","iterations":5200,"version":1}'
echo "safety number on bob's phone:   $(jq -r .displayable <<<"$reply" | sed -E 's/(.{5})/\1 /g')"
