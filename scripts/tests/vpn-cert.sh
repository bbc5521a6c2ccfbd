#!/bin/bash
# End to end with certificates: see vpn.lib.
. "$(dirname "$0")/lib.sh"
VPN_AUTH=cert
. "$(dirname "$0")/vpn.lib"
vpn_scenario
tap_done
