// Certificates made once with openssl (see the commands below) so the unit tests, which also run
// in the edge VM, need no process spawning. The integration tests in test/ make fresh ones.
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj "/CN=hooksec fixture CA/O=Example"
//   openssl req -newkey ec ... -subj "/CN=payments-provider/O=Example/OU=tenant-42" | openssl x509 -req -CA ... -days 36500
//   openssl req -utf8 -multivalue-rdn ... -subj "/DC=com/DC=example/O=Exämple, Inc. <\"quoted\">;x/OU=tenant-7/CN=#not-hex \+ trailing /CN=José+UID=jdoe/emailAddress=jdoe@example.com/tenantRef=ref-7"
//     (tenantRef = OID 1.3.6.1.4.1.55555.1, unknown to OpenSSL's name table)

export const CA_PEM = `-----BEGIN CERTIFICATE-----
MIIBtTCCAVugAwIBAgIUIWVCOZZ4rwomE6B4MdH6MPZqneUwCgYIKoZIzj0EAwIw
LzEbMBkGA1UEAwwSaG9va3NlYyBmaXh0dXJlIENBMRAwDgYDVQQKDAdFeGFtcGxl
MCAXDTI2MTEyMjE0NTQyNloYDzIxMjYxMDI5MTQ1NDI2WjAvMRswGQYDVQQDDBJo
b29rc2VjIGZpeHR1cmUgQ0ExEDAOBgNVBAoMB0V4YW1wbGUwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAASoIPbOBtvSaKWrjR/aiMvPa2/+WwP4c3lyO5/UXHIdoMPr
kkoIQQUTRJU6ba+/teBieqE3Pj/D5xSvZl4g89iso1MwUTAdBgNVHQ4EFgQUiXb6
g830CRs9dNpDsyZYjcXQXpUwHwYDVR0jBBgwFoAUiXb6g830CRs9dNpDsyZYjcXQ
XpUwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiAEkLRjdZp/Lr03
UGYOdTIdFXo1RSpm0o1QkJUQW409hAIhAL1qBPkabdOIyiZNCD2XXJ8VFg3+qcUp
GFfpvqxXiYDV
-----END CERTIFICATE-----
`;
/** `openssl x509 -noout -subject -nameopt RFC2253`: byte for byte what nginx puts in $ssl_client_s_dn. */
export const CA_SUBJECT_AS_NGINX = "O=Example,CN=hooksec fixture CA";
export const CA_FINGERPRINT_OPENSSL = "D7:55:0F:83:2C:4B:70:E3:8B:27:41:C4:F7:6E:F1:31:FC:A0:FD:9E:2F:F6:B8:72:FB:4A:8E:4C:0F:3F:EF:98";
export const CA_NOT_BEFORE = new Date("2026-11-22T14:54:26.000Z");
export const CA_NOT_AFTER = new Date("2126-10-29T14:54:26.000Z");

export const LEAF_PEM = `-----BEGIN CERTIFICATE-----
MIIBbjCCARQCFBBA2OKkU4wqwO8wdNvARXQzfdMcMAoGCCqGSM49BAMCMC8xGzAZ
BgNVBAMMEmhvb2tzZWMgZml4dHVyZSBDQTEQMA4GA1UECgwHRXhhbXBsZTAgFw0y
NjExMjIxNDU0MjZaGA8yMTI2MTAyOTE0NTQyNlowQjEaMBgGA1UEAwwRcGF5bWVu
dHMtcHJvdmlkZXIxEDAOBgNVBAoMB0V4YW1wbGUxEjAQBgNVBAsMCXRlbmFudC00
MjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABI5DcljH16MleJ6Lf24Na6ijcgN0
jf3yYwSAIHCmR7P6LbKtvSwdq2atDc2x8io8aAHJANYYQEp63SgpDzdHdCQwCgYI
KoZIzj0EAwIDSAAwRQIhANEMvWP8HZQOEE0ZDiZs90wrH5Y70xVNJsyAfobUd/fn
AiBA1JQwvqRoZeJm9fgv8Rq9zemXMaSBbOS75vm3fY4xGQ==
-----END CERTIFICATE-----
`;
/** `openssl x509 -noout -subject -nameopt RFC2253`: byte for byte what nginx puts in $ssl_client_s_dn. */
export const LEAF_SUBJECT_AS_NGINX = "OU=tenant-42,O=Example,CN=payments-provider";
export const LEAF_FINGERPRINT_OPENSSL = "4A:B4:27:E4:70:32:82:87:3A:E3:79:30:C6:9C:AE:51:B4:87:20:1D:EF:26:AE:E0:BC:D8:69:CF:FE:DC:E0:78";
export const LEAF_NOT_BEFORE = new Date("2026-11-22T14:54:26.000Z");
export const LEAF_NOT_AFTER = new Date("2126-10-29T14:54:26.000Z");

export const WEIRD_PEM = `-----BEGIN CERTIFICATE-----
MIICDzCCAbQCFBBA2OKkU4wqwO8wdNvARXQzfdMeMAoGCCqGSM49BAMCMC8xGzAZ
BgNVBAMMEmhvb2tzZWMgZml4dHVyZSBDQTEQMA4GA1UECgwHRXhhbXBsZTAgFw0y
NjExMjIxNDU0MzBaGA8yMTI2MTAyOTE0NTQzMFowgeExEzARBgoJkiaJk/IsZAEZ
FgNjb20xFzAVBgoJkiaJk/IsZAEZFgdleGFtcGxlMSQwIgYDVQQKDBtFeMOkbXBs
ZSwgSW5jLiA8InF1b3RlZCI+O3gxETAPBgNVBAsMCHRlbmFudC03MR0wGwYDVQQD
DBQjbm90LWhleCArIHRyYWlsaW5nIDEiMAwGA1UEAwwFSm9zw6kwEgYKCZImiZPy
LGQBAQwEamRvZTEfMB0GCSqGSIb3DQEJARYQamRvZUBleGFtcGxlLmNvbTEUMBIG
CSsGAQQBg7IDAQwFcmVmLTcwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAT1NNhz
aIbqRkmb/yzeWkAt2IthlW40KH6HmA7Ua075sFrberRJq4wJOlc/bx4uUZQL/+OM
FfKcYDA5yfwZtpgYMAoGCCqGSM49BAMCA0kAMEYCIQDqGrvcc3/vubv3gdqcXJuh
qa1OgCgxqdfFUkX46Wbf5AIhAKd60VK0KwDNjmXAsT0IRi/o/wntw/t8AkbekmZ7
XFsx
-----END CERTIFICATE-----
`;
/** `openssl x509 -noout -subject -nameopt RFC2253`: byte for byte what nginx puts in $ssl_client_s_dn. */
export const WEIRD_SUBJECT_AS_NGINX = "1.3.6.1.4.1.55555.1=#0C057265662D37,emailAddress=jdoe@example.com,UID=jdoe+CN=Jos\\C3\\A9,CN=\\#not-hex \\+ trailing\\ ,OU=tenant-7,O=Ex\\C3\\A4mple\\, Inc. \\<\\\"quoted\\\"\\>\\;x,DC=example,DC=com";
export const WEIRD_FINGERPRINT_OPENSSL = "9E:7B:18:87:6C:49:1A:25:34:09:10:AE:F8:E1:F5:B2:3F:96:F2:69:14:93:A5:1A:C5:92:2C:35:E1:7B:D4:5D";
export const WEIRD_NOT_BEFORE = new Date("2026-11-22T14:54:30.000Z");
export const WEIRD_NOT_AFTER = new Date("2126-10-29T14:54:30.000Z");
