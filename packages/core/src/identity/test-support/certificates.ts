// Certificates made once with openssl (see the commands below) so the unit tests, which also run
// in the edge VM, need no process spawning. The integration tests in test/ make fresh ones.
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj "/CN=hooksec fixture CA/O=Example"
//   openssl req -newkey ec ... -subj "/CN=payments-provider/O=Example/OU=tenant-42" | openssl x509 -req -CA ... -days 36500
//   openssl req -utf8 -multivalue-rdn ... -subj "/DC=com/DC=example/O=Exämple, Inc. <\"quoted\">;x/OU=tenant-7/CN=#not-hex \+ trailing /CN=José+UID=jdoe/emailAddress=jdoe@example.com/tenantRef=ref-7"
//     (tenantRef = OID 1.3.6.1.4.1.55555.1, unknown to OpenSSL's name table)

/** `openssl x509 -noout -subject -nameopt RFC2253`: byte for byte what nginx puts in $ssl_client_s_dn. */
export const CA_SUBJECT_AS_NGINX = "O=Example,CN=hooksec fixture CA";

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
export const LEAF_FINGERPRINT_OPENSSL =
  "4A:B4:27:E4:70:32:82:87:3A:E3:79:30:C6:9C:AE:51:B4:87:20:1D:EF:26:AE:E0:BC:D8:69:CF:FE:DC:E0:78";
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
export const WEIRD_SUBJECT_AS_NGINX =
  '1.3.6.1.4.1.55555.1=#0C057265662D37,emailAddress=jdoe@example.com,UID=jdoe+CN=Jos\\C3\\A9,CN=\\#not-hex \\+ trailing\\ ,OU=tenant-7,O=Ex\\C3\\A4mple\\, Inc. \\<\\"quoted\\"\\>\\;x,DC=example,DC=com';
export const WEIRD_FINGERPRINT_OPENSSL =
  "9E:7B:18:87:6C:49:1A:25:34:09:10:AE:F8:E1:F5:B2:3F:96:F2:69:14:93:A5:1A:C5:92:2C:35:E1:7B:D4:5D";

// Every attribute type OpenSSL names, as nginx prints them (RFC 2253 mode):
//   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj "/CN=acme/SN=Doe/serialNumber=42/C=DE/L=Berlin/ST=BE/street=Main St 1/O=Acme/OU=hooks/title=Bot/description=webhook sender/businessCategory=Private Organization/postalAddress=PO 1/postalCode=10115/postOfficeBox=PO 9/physicalDeliveryOfficeName=HQ/telephoneNumber=030 1/telexNumber=123/facsimileTelephoneNumber=030 2/x121Address=1234/internationaliSDNNumber=5678/registeredAddress=Reg 1/destinationIndicator=DI/name=Acme Hooks/GN=John/initials=JD/generationQualifier=III/x500UniqueIdentifier=u1/dnQualifier=q1/houseIdentifier=H1/dmdName=dmd/pseudonym=jd/role=sender/organizationIdentifier=VATDE-123/c3=DEU/n3=276/dnsName=hooks.example/UID=jdoe/DC=example/mail=j@example.com/emailAddress=jd@example.com/unstructuredName=un/unstructuredAddress=ua/jurisdictionL=Berlin/jurisdictionST=BE/jurisdictionC=DE"
export const ALL_ATTRIBUTES_PEM = `-----BEGIN CERTIFICATE-----
MIIHnzCCB0WgAwIBAgIUA2UivlZgfxCrTCE7lzc+Z5McTFswCgYIKoZIzj0EAwIw
ggMiMQ0wCwYDVQQDDARhY21lMQwwCgYDVQQEDANEb2UxCzAJBgNVBAUTAjQyMQsw
CQYDVQQGEwJERTEPMA0GA1UEBwwGQmVybGluMQswCQYDVQQIDAJCRTESMBAGA1UE
CQwJTWFpbiBTdCAxMQ0wCwYDVQQKDARBY21lMQ4wDAYDVQQLDAVob29rczEMMAoG
A1UEDAwDQm90MRcwFQYDVQQNDA53ZWJob29rIHNlbmRlcjEdMBsGA1UEDwwUUHJp
dmF0ZSBPcmdhbml6YXRpb24xDTALBgNVBBAMBFBPIDExDjAMBgNVBBEMBTEwMTE1
MQ0wCwYDVQQSDARQTyA5MQswCQYDVQQTDAJIUTEOMAwGA1UEFAwFMDMwIDExDDAK
BgNVBBUMAzEyMzEOMAwGA1UEFwwFMDMwIDIxDTALBgNVBBgMBDEyMzQxDTALBgNV
BBkMBDU2NzgxDjAMBgNVBBoMBVJlZyAxMQswCQYDVQQbDAJESTETMBEGA1UEKQwK
QWNtZSBIb29rczENMAsGA1UEKgwESm9objELMAkGA1UEKwwCSkQxDDAKBgNVBCwM
A0lJSTELMAkGA1UELQwCdTExCzAJBgNVBC4TAnExMQswCQYDVQQzDAJIMTEMMAoG
A1UENgwDZG1kMQswCQYDVQRBDAJqZDEPMA0GA1UESAwGc2VuZGVyMRIwEAYDVQRh
DAlWQVRERS0xMjMxDDAKBgNVBGITA0RFVTEMMAoGA1UEYxIDMjc2MRYwFAYDVQRk
DA1ob29rcy5leGFtcGxlMRQwEgYKCZImiZPyLGQBAQwEamRvZTEXMBUGCgmSJomT
8ixkARkWB2V4YW1wbGUxHTAbBgoJkiaJk/IsZAEDFg1qQGV4YW1wbGUuY29tMR0w
GwYJKoZIhvcNAQkBFg5qZEBleGFtcGxlLmNvbTERMA8GCSqGSIb3DQEJAgwCdW4x
ETAPBgkqhkiG9w0BCQgMAnVhMRcwFQYLKwYBBAGCNzwCAQEMBkJlcmxpbjETMBEG
CysGAQQBgjc8AgECDAJCRTETMBEGCysGAQQBgjc8AgEDEwJERTAgFw0yNjEyMDEx
MDQ2NDJaGA8yMTI2MTEwNzEwNDY0MlowggMiMQ0wCwYDVQQDDARhY21lMQwwCgYD
VQQEDANEb2UxCzAJBgNVBAUTAjQyMQswCQYDVQQGEwJERTEPMA0GA1UEBwwGQmVy
bGluMQswCQYDVQQIDAJCRTESMBAGA1UECQwJTWFpbiBTdCAxMQ0wCwYDVQQKDARB
Y21lMQ4wDAYDVQQLDAVob29rczEMMAoGA1UEDAwDQm90MRcwFQYDVQQNDA53ZWJo
b29rIHNlbmRlcjEdMBsGA1UEDwwUUHJpdmF0ZSBPcmdhbml6YXRpb24xDTALBgNV
BBAMBFBPIDExDjAMBgNVBBEMBTEwMTE1MQ0wCwYDVQQSDARQTyA5MQswCQYDVQQT
DAJIUTEOMAwGA1UEFAwFMDMwIDExDDAKBgNVBBUMAzEyMzEOMAwGA1UEFwwFMDMw
IDIxDTALBgNVBBgMBDEyMzQxDTALBgNVBBkMBDU2NzgxDjAMBgNVBBoMBVJlZyAx
MQswCQYDVQQbDAJESTETMBEGA1UEKQwKQWNtZSBIb29rczENMAsGA1UEKgwESm9o
bjELMAkGA1UEKwwCSkQxDDAKBgNVBCwMA0lJSTELMAkGA1UELQwCdTExCzAJBgNV
BC4TAnExMQswCQYDVQQzDAJIMTEMMAoGA1UENgwDZG1kMQswCQYDVQRBDAJqZDEP
MA0GA1UESAwGc2VuZGVyMRIwEAYDVQRhDAlWQVRERS0xMjMxDDAKBgNVBGITA0RF
VTEMMAoGA1UEYxIDMjc2MRYwFAYDVQRkDA1ob29rcy5leGFtcGxlMRQwEgYKCZIm
iZPyLGQBAQwEamRvZTEXMBUGCgmSJomT8ixkARkWB2V4YW1wbGUxHTAbBgoJkiaJ
k/IsZAEDFg1qQGV4YW1wbGUuY29tMR0wGwYJKoZIhvcNAQkBFg5qZEBleGFtcGxl
LmNvbTERMA8GCSqGSIb3DQEJAgwCdW4xETAPBgkqhkiG9w0BCQgMAnVhMRcwFQYL
KwYBBAGCNzwCAQEMBkJlcmxpbjETMBEGCysGAQQBgjc8AgECDAJCRTETMBEGCysG
AQQBgjc8AgEDEwJERTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABAk5cfWliQ0f
SGWjwOYXFgLs5OLUotw/oKzSd3f5nlHQURGZ3b2G8KuMtutxDEMCng9Xv12C0Y9Y
1Y9l++IneeGjUzBRMB0GA1UdDgQWBBRaFwoc9NpcRMFrdwkzUcGZ6pc5xDAfBgNV
HSMEGDAWgBRaFwoc9NpcRMFrdwkzUcGZ6pc5xDAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0gAMEUCIBt6eXhgqG44RrR5lPZjJXiTYhTJormxARqd2/ZFfVUh
AiEA5tvw+pG0GsBdb/FRBQeuv+kGcPK8gyMEjxvgneG6EFE=
-----END CERTIFICATE-----
`;
/** `openssl x509 -noout -subject -nameopt RFC2253` of ALL_ATTRIBUTES_PEM. */
export const ALL_ATTRIBUTES_SUBJECT_AS_NGINX =
  "jurisdictionC=DE,jurisdictionST=BE,jurisdictionL=Berlin,unstructuredAddress=ua,unstructuredName=un,emailAddress=jd@example.com,mail=j@example.com,DC=example,UID=jdoe,dnsName=hooks.example,n3=276,c3=DEU,organizationIdentifier=VATDE-123,role=sender,pseudonym=jd,dmdName=dmd,houseIdentifier=H1,dnQualifier=q1,x500UniqueIdentifier=u1,generationQualifier=III,initials=JD,GN=John,name=Acme Hooks,destinationIndicator=DI,registeredAddress=Reg 1,internationaliSDNNumber=5678,x121Address=1234,facsimileTelephoneNumber=030 2,telexNumber=123,telephoneNumber=030 1,physicalDeliveryOfficeName=HQ,postOfficeBox=PO 9,postalCode=10115,postalAddress=PO 1,businessCategory=Private Organization,description=webhook sender,title=Bot,OU=hooks,O=Acme,street=Main St 1,ST=BE,L=Berlin,C=DE,serialNumber=42,SN=Doe,CN=acme";
