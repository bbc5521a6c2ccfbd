#!/bin/bash
# End to end with strongSwan at its defaults (its own policies and reqids, a
# pre-shared key) and l2tp_ipsec at its defaults: see vpn.lib.
. "$(dirname "$0")/lib.sh"
VPN_AUTH=psk
VPN_POLICIES=daemon
. "$(dirname "$0")/vpn.lib"
vpn_scenario
tap_done
