#!/bin/sh
# Run a command with the network cut off, so that an accidental download
# fails the build instead of passing unnoticed:
#
#     tools/offline.sh COMMAND [ARGS...]
#
# The command runs in a new user and network namespace (`unshare -rn`, no
# root needed) whose only interface is the loopback; it is brought up, so
# that Jupyter kernels (ZeroMQ over 127.0.0.1) and pytest-xdist still work.
# Where the machine does not allow that (no unshare or ip, user namespaces
# disabled, macOS), it says so and runs the command with the network.
set -eu
if unshare -rn sh -c 'ip link set lo up' 2>/dev/null; then
    exec unshare -rn sh -c 'ip link set lo up && exec "$@"' offline "$@"
fi
echo "tools/offline.sh: WARNING: cannot cut the network off here" \
    "(unshare -rn with ip link set lo up failed); running with it: $*" >&2
exec "$@"
