#!/bin/bash
# End to end with a pre-shared key: see vpn.lib.
. "$(dirname "$0")/lib.sh"
VPN_AUTH=psk
. "$(dirname "$0")/vpn.lib"
vpn_scenario
tap_done
