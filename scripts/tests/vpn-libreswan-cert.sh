#!/bin/bash
# vpn-libreswan.sh with certificates: the libreswan server's l2tp-cert conn (IKEv1 RSA
# signatures, examples/libreswan/server-cert.conf), a strongSwan and a libreswan client
# each with a certificate of the test CA.
LS_AUTH=cert
. "$(dirname "$0")/vpn-libreswan.sh"
