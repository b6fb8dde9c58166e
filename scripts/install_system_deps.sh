#!/usr/bin/env bash
# Debian packages the browser tests need: chromium and a CJK font. Installed only when missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qiE "wenquanyi|noto sans cjk" || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then SUDO=sudo; else SUDO=""; fi
echo "installing ${missing[*]} ..."
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig >/dev/null
