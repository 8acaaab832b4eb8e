#!/usr/bin/env python3
"""make_seeds.py: writes the hand-made seed corpora in tests/fuzz/corpus/<target>/.

Every seed is a realistic example of what the target parses: callbacks and pastes as the platforms
send them, token responses and errors in the shapes of /work/shared/platforms.md (values are fake),
issuer metadata documents, config files in the layout docs/config.md describes. The vault corpora
(vault_fuzz, most of vault_records_fuzz) come from make_vault_seeds.cc, which uses the core itself.

    python3 tests/fuzz/make_seeds.py            # rewrites the seeds this script owns

Token seeds start with two bytes of HTTP status (100 + big-endian value % 500): see status().
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
STATE = "expected-state"  # the state every target expects


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def status(code):
    """The two-byte prefix the token targets read as HTTP status `code`."""
    assert 100 <= code < 600
    return struct.pack(">H", code - 100)


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


# --- callback_query_fuzz: request targets and queries as they reach the capture server --------
CALLBACKS = {
    "google-code.txt": f"/callback?state={STATE}&code=4%2F0AeanS0ExampleGoogleCode-_AbCdEf&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fyoutube.upload",
    "google-code-iss.txt": f"/?state={STATE}&iss=https%3A%2F%2Faccounts.google.com&code=4%2F0AeanS0ExampleCode&scope=openid%20email&authuser=0&prompt=consent",
    "tiktok-code.txt": f"/callback/?code=Ex4mpleTikTokC0de_AbC*0%211234&scopes=user.info.basic%2Cvideo.publish&state={STATE}",
    "instagram-code.txt": f"/?code=AQBexampleInstagramCode0123456789#_&state={STATE}",
    "linkedin-code.txt": f"/callback?code=AQTexampleLinkedInCode-_0123&state={STATE}",
    "x-code.txt": f"/callback?state={STATE}&code=VGhpcyBpcyBhbiBleGFtcGxlIFggY29kZQ",
    "denied-google.txt": f"/callback?error=access_denied&state={STATE}",
    "denied-instagram.txt": f"/?error=access_denied&error_reason=user_denied&error_description=Permissions+error.&state={STATE}",
    "denied-linkedin.txt": f"/callback?error=user_cancelled_login&error_description=The+user+cancelled+LinkedIn+login&state={STATE}",
    "error-html-description.txt": f"/callback?error=invalid_scope&error_description=%3Cscript%3Ealert(1)%3C%2Fscript%3E+%26+%22quotes%22&state={STATE}",
    "wrong-state.txt": "/callback?code=4%2F0AeanS0Example&state=another-flows-state",
    "no-state.txt": "/callback?code=4%2F0AeanS0Example",
    "repeated-code.txt": f"/callback?code=first&code=second&state={STATE}",
    "repeated-state.txt": f"/callback?code=abc&state={STATE}&state={STATE}",
    "empty-code.txt": f"/callback?code=&state={STATE}",
    "bare-query.txt": f"code=SplxlOBeZQQYbYS6WxSbIA&state={STATE}",
    "favicon.txt": "/favicon.ico",
    "root.txt": "/",
    "plus-and-percent.txt": f"/cb?code=a+b%2Bc%zz%4&state={STATE}&x=%00%ff",
    "bad-code-chars.txt": f"/callback?code=%22%3Cimg%3E&state={STATE}",
    "absolute-form.txt": f"http://127.0.0.1:8123/callback?code=abc&state={STATE}",
}

# --- paste_fuzz: what users paste at the prompt -------------------------------------------------
PASTES = {
    "url-loopback.txt": f"http://127.0.0.1:8123/callback?code=4%2F0AeanS0ExampleGoogleCode&state={STATE}",
    "url-https-localhost.txt": f"https://localhost:3766/?code=AQBexampleInstagramCode0123#_&state={STATE}",
    "url-instagram-suffix.txt": f"https://keryx.example/auth/instagram?code=AQBexampleInstagramCode0123&state={STATE}#_",
    "url-fragment-params.txt": f"https://app.example/cb#code=AQTexampleCode&state={STATE}",
    "url-error.txt": f"https://keryx.example/cb?error=access_denied&error_reason=user_denied&error_description=Permissions+error.&state={STATE}",
    "url-error-no-state.txt": "https://keryx.example/cb?error=access_denied",
    "url-wrong-state.txt": "http://127.0.0.1:8123/callback?code=abc&state=not-this-one",
    "url-no-state.txt": "http://localhost:8080/callback?code=4%2F0AeanS0Example",
    "query.txt": f"code=Ex4mpleTikTokC0de_AbC&scopes=user.info.basic%2Cvideo.publish&state={STATE}",
    "query-leading-question-mark.txt": f"?error=access_denied&state={STATE}",
    "query-without-code.txt": "scope=openid&authuser=0",
    "bare-code.txt": "4/0AeanS0ExampleGoogleCode-_AbCdEf",
    "bare-code-percent-encoded.txt": "4%2F0AeanS0ExampleGoogleCode",
    "bare-code-base64-padding.txt": "VGhpcyBpcyBhIGNvZGU=",
    "bare-code-whitespace.txt": "  \tAQBexampleInstagramCode0123#_\r\n",
    "bare-code-with-space.txt": "not a code",
    "control-characters.txt": "abc\x01def",
    "empty.txt": "",
    "long-url.txt": "https://keryx.example/cb?code=" + "A" * 600 + f"&state={STATE}",
}

# --- redirect_uri_fuzz ---------------------------------------------------------------------------
REDIRECTS = {
    "loopback-v4.txt": "http://127.0.0.1:8123/callback",
    "loopback-v4-other.txt": "http://127.9.8.7:49152/cb",
    "loopback-v6.txt": "http://[::1]:49152/oauth/callback",
    "localhost-https.txt": "https://localhost:3766/",
    "localhost-default-port.txt": "http://localhost/callback",
    "uppercase-host.txt": "http://LOCALHOST:8080/Callback",
    "public-https.txt": "https://keryx.example/auth/instagram/callback",
    "public-http.txt": "http://keryx.example/callback",
    "tiktok-wildcard-port.txt": "http://127.0.0.1:*/callback/",
    "query.txt": "http://127.0.0.1:8123/callback?refresh=1",
    "fragment.txt": "http://127.0.0.1:8123/callback#frag",
    "userinfo.txt": "http://user:pass@127.0.0.1:8123/callback",
    "port-zero.txt": "http://127.0.0.1:0/callback",
    "port-too-big.txt": "http://127.0.0.1:65536/callback",
    "dot-segments.txt": "http://127.0.0.1:8123/a/../callback/./",
    "percent-path.txt": "http://127.0.0.1:8123/call%20back/%7Euser",
    "ipv6-zone.txt": "http://[fe80::1%25eth0]:8123/cb",
    "other-scheme.txt": "ftp://127.0.0.1:21/",
    "custom-scheme.txt": "com.example.app:/oauth2redirect",
    "api-url-with-query.txt": "https://graph.instagram.com/v21.0/me?fields=id,username&access_token=IGAAexample",
}

# --- token_*_fuzz: token endpoint answers -------------------------------------------------------
STANDARD = {
    "google-200.bin": (200, {"access_token": "ya29.a0Example0YouTube0access0token", "expires_in": 3599,
                             "refresh_token": "1//0gExample0refresh", "scope": "https://www.googleapis.com/auth/youtube.upload openid https://www.googleapis.com/auth/userinfo.email",
                             "token_type": "Bearer", "id_token": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2ln"}),
    "google-400-invalid-grant.bin": (400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
    "google-428-pending.bin": (428, {"error": "authorization_pending", "error_description": "Precondition Required"}),
    "linkedin-200.bin": (200, {"access_token": "AQVexample0linkedin0access0token", "expires_in": 5184000,
                               "scope": "email,openid,profile,w_member_social", "token_type": "Bearer", "id_token": "eyJ.eyJ.sig"}),
    "linkedin-200-refresh.bin": (200, {"access_token": "AQVexample0linkedin0access0token", "expires_in": 5184000,
                                       "refresh_token": "AQXexample0refresh", "refresh_token_expires_in": 31536000,
                                       "scope": "r_basicprofile w_member_social"}),
    "linkedin-400.bin": (400, {"error": "invalid_request", "error_description": "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists"}),
    "linkedin-401-api.bin": (401, {"status": 401, "serviceErrorCode": 65601, "code": "REVOKED_ACCESS_TOKEN", "message": "The token used in the request has been revoked by the user"}),
    "x-200.bin": (200, {"token_type": "bearer", "expires_in": 7200, "access_token": "VGhpcyBpcyBhbiBleGFtcGxlIFggdG9rZW4",
                        "scope": "tweet.read tweet.write users.read offline.access", "refresh_token": "bWFrZSBpdCByZWZyZXNo"}),
    "x-400.bin": (400, {"error": "invalid_request", "error_description": "Value passed for the authorization code was invalid."}),
    "strings-for-numbers.bin": (200, {"access_token": "example-access-token-0001", "expires_in": "3600", "token_type": "bearer"}),
    "scope-array.bin": (200, {"access_token": "example-access-token-0002", "expires_in": 3600.0, "scope": ["openid", "profile"]}),
    "expires-alias.bin": (200, {"access_token": "example-access-token-0003", "expires": 5183944}),
    "empty-token.bin": (200, {"access_token": "", "token_type": "Bearer"}),
    "no-token.bin": (200, {"token_type": "Bearer", "expires_in": 3600}),
    "huge-lifetime.bin": (200, {"access_token": "example-access-token-0004", "expires_in": 99999999999}),
    "atproto-expired.bin": (400, {"error": "ExpiredToken", "message": "Token has expired"}),
    "bluesky-401.bin": (401, {"error": "AuthenticationRequired", "message": "Invalid identifier or password"}),
}
STANDARD_RAW = {
    "502-html.bin": (502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"),
    "503-empty.bin": (503, ""),
    "500-json-error.bin": (500, '{"error":"server_error","error_description":"try again"}'),
    "200-not-json.bin": (200, "access_token=example-access-token&token_type=bearer&expires_in=3600"),
    "200-truncated.bin": (200, '{"access_token":"example-access-token-0005","expires_in":36'),
    "200-array.bin": (200, '[{"access_token":"example-access-token-0006"}]'),
}
INSTAGRAM = {
    "data-wrapped-200.bin": (200, {"data": [{"access_token": "IGAAexample0short0lived0token0QWERTY", "user_id": "17841400000000001",
                                             "permissions": "instagram_business_basic,instagram_business_content_publish,instagram_business_manage_comments"}]}),
    "flat-200.bin": (200, {"access_token": "IGAAexample0short0lived0token0ASDFGH", "user_id": 17841400000000001,
                           "permissions": ["instagram_business_basic", "instagram_business_content_publish"]}),
    "long-lived-200.bin": (200, {"access_token": "IGAAexample0long0lived0token0ZXCVBN", "token_type": "bearer", "expires_in": 5183944}),
    "threads-200.bin": (200, {"access_token": "THQVJexample0threads0token", "user_id": 12345678901234567}),
    "error-type-400.bin": (400, {"error_type": "OAuthException", "code": 400, "error_message": "Invalid platform app"}),
    "graph-error-400.bin": (400, {"error": {"message": "Error validating access token: Session has expired on Friday, 01-Jan-27 00:00:00 PST.",
                                            "type": "OAuthException", "code": 190, "error_subcode": 463, "fbtrace_id": "AbCdEfGhIjK"}}),
    "graph-error-200.bin": (200, {"error": {"message": "(#10) Application does not have permission for this action", "type": "OAuthException", "code": 10, "fbtrace_id": "A1b2C3"}}),
    "data-empty.bin": (200, {"data": []}),
    "data-not-object.bin": (200, {"data": [1, 2]}),
    "user-id-float.bin": (200, {"access_token": "IGAAexample0token0float0id", "user_id": 1.7841400000000001e16}),
    "refresh-200.bin": (200, {"access_token": "IGAAexample0refreshed0token", "token_type": "bearer", "expires_in": 5183944, "permissions": ""}),
}
TIKTOK = {
    "token-200.bin": (200, {"access_token": "act.example0tiktok0access0token0AbCdEf123456", "expires_in": 86400,
                            "open_id": "-000OqnjoZkRyyLn2dr4Bw5Q1Vb4pcIETi6P", "refresh_expires_in": 31536000,
                            "refresh_token": "rft.example0tiktok0refresh0token0ZyXwVu987654", "scope": "user.info.basic,video.publish",
                            "token_type": "Bearer"}),
    "token-200-2h.bin": (200, {"access_token": "act.example0tiktok0access0token0new", "expires_in": 7200, "open_id": "_000abc",
                               "refresh_expires_in": 15552000, "refresh_token": "rft.example0rotated", "scope": "user.info.basic",
                               "token_type": "Bearer"}),
    "error-in-200.bin": (200, {"error": "invalid_grant", "error_description": "Authorization code is expired.", "log_id": "20260101000000ABCDEF0123456789"}),
    "pkce-mismatch-400.bin": (400, {"error": "invalid_request", "error_description": "Code verifier or code challenge is invalid.", "log_id": "2026010100000011"}),
    "api-ok-envelope.bin": (200, {"data": {"user": {"open_id": "_000abc", "display_name": "keryx"}}, "error": {"code": "ok", "message": "", "log_id": "2026"}}),
    "api-error-401.bin": (401, {"error": {"code": "access_token_invalid", "message": "The access token is invalid or not found in the request.", "log_id": "2026"}}),
    "api-rate-limit-429.bin": (429, {"error": {"code": "rate_limit_exceeded", "message": "Too many requests", "log_id": "2026"}}),
    "revoke-200-empty-object.bin": (200, {}),
    "business-api-wrapper.bin": (200, {"code": 0, "message": "OK", "request_id": "2026", "data": {"access_token": "act.example0business", "expires_in": 86400}}),
    "open-id-number.bin": (200, {"access_token": "act.example0tiktok0numeric0id", "open_id": 18446744073709551615}),
}

# --- issuer_metadata_fuzz ------------------------------------------------------------------------
ISSUER = "https://issuer.example"
METADATA = {
    "oidc-full.json": {
        "issuer": ISSUER, "authorization_endpoint": ISSUER + "/oauth2/authorize", "token_endpoint": ISSUER + "/oauth2/token",
        "userinfo_endpoint": ISSUER + "/oauth2/userinfo", "revocation_endpoint": ISSUER + "/oauth2/revoke",
        "jwks_uri": ISSUER + "/oauth2/jwks", "response_types_supported": ["code", "id_token", "code id_token"],
        "subject_types_supported": ["public"], "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "offline_access"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "code_challenge_methods_supported": ["S256", "plain"], "grant_types_supported": ["authorization_code", "refresh_token"]},
    "rfc8414-minimal.json": {"issuer": ISSUER + "/", "authorization_endpoint": ISSUER + "/authorize", "token_endpoint": ISSUER + "/token"},
    "loopback-emulator.json": {"issuer": "http://127.0.0.1:9000", "authorization_endpoint": "http://127.0.0.1:9000/auth",
                               "token_endpoint": "http://127.0.0.1:9000/token", "code_challenge_methods_supported": ["S256"]},
    "oidc-provider-node.json": {"authorization_endpoint": ISSUER + "/auth", "claims_parameter_supported": False,
                                "claims_supported": ["sub", "sid", "auth_time", "iss"], "code_challenge_methods_supported": ["S256"],
                                "end_session_endpoint": ISSUER + "/session/end", "grant_types_supported": ["implicit", "authorization_code", "refresh_token"],
                                "issuer": ISSUER, "jwks_uri": ISSUER + "/jwks", "response_modes_supported": ["form_post", "fragment", "query"],
                                "response_types_supported": ["code id_token", "code", "id_token", "none"], "scopes_supported": ["openid", "offline_access"],
                                "subject_types_supported": ["public"], "token_endpoint": ISSUER + "/token",
                                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_jwt", "client_secret_post", "private_key_jwt", "none"],
                                "userinfo_endpoint": ISSUER + "/me", "revocation_endpoint": ISSUER + "/token/revocation"},
    "issuer-mismatch.json": {"issuer": "https://evil.example", "authorization_endpoint": "https://evil.example/authorize", "token_endpoint": "https://evil.example/token"},
    "http-endpoint.json": {"issuer": ISSUER, "authorization_endpoint": "http://issuer.example/authorize", "token_endpoint": ISSUER + "/token"},
    "missing-token-endpoint.json": {"issuer": ISSUER, "authorization_endpoint": ISSUER + "/authorize"},
    "wrong-types.json": {"issuer": ISSUER, "authorization_endpoint": ISSUER + "/authorize", "token_endpoint": ISSUER + "/token",
                         "code_challenge_methods_supported": "S256", "scopes_supported": [1, 2]},
}

# --- config_fuzz: config files as keryx writes them (2-space layout) and as people edit them ------
CONFIGS = {
    "typical.json": {"platforms": {"tiktok": {"client_key": "aw1b2c3d4e", "privacy": "SELF_ONLY", "open_id": "-000abc"},
                                   "youtube": {"client_id": "123-abc.apps.googleusercontent.com", "enabled": True,
                                               "scopes": ["https://www.googleapis.com/auth/youtube.upload"]},
                                   "instagram": {"app_id": "1234567890", "user_id": "17841400000000001",
                                                 "redirect_uri": "https://keryx.example/auth/instagram"},
                                   "linkedin": {"client_id": "86abcdefgh", "author_urn": "urn:li:person:abc123"}}},
    "endpoints.json": {"platforms": {"tiktok": {"client_key": "aw1b2c3d4e", "endpoints": {
        "authorize_url": "http://127.0.0.1:9000/v2/auth/authorize/", "token_url": "http://127.0.0.1:9000/v2/oauth/token/",
        "revoke_url": "http://127.0.0.1:9000/v2/oauth/revoke/"}}}},
    "user-notes.json": {"_comment": "my notes", "platforms": {"instagram": {"user_id": 17841400000000001, "enabled": False}},
                        "extra": {"nested": {"list": [1, 2.5, -3e10, None, True, "x"], "empty": {}}}},
    "secret-by-hand.json": {"platforms": {"instagram": {"app_id": "1234567890", "app_secret": "do-not-store-me"}}},
}
CONFIGS_RAW = {
    "empty-file.json": "",
    "whitespace.json": " \n\t\r\n",
    "bom.json": "\ufeff{\n  \"platforms\": {}\n}\n",
    "trailing-comma.json": "{\n  \"platforms\": {\n    \"tiktok\": {\"privacy\": \"SELF_ONLY\",}\n  }\n}\n",
    "comment.json": "// keryx\n{\"a\": 1}\n",
    "top-level-array.json": "[1, 2, 3]\n",
    "nul-byte.json": "{\"a\": \"b\"}\x00garbage",
    "duplicate-keys.json": "{\"a\": 1, \"a\": {\"b\": 2}, \"platforms\": \"x\"}\n",
    "unicode.json": "{\"caf\u00e9\": \"\u2603\", \"esc\": \"\\u00e9\\ud83d\\udd11\\n\\u0000\"}\n",
    "big-numbers.json": "{\"n\": [18446744073709551616, -9223372036854775809, 1.7976931348623157e308, 5e-324, -0, -0.0, 0.1]}\n",
    "deep.json": "{\"a\":" * 63 + "1" + "}" * 63 + "\n",
    "too-deep.json": "{\"a\":" * 65 + "1" + "}" * 65 + "\n",
    "platforms-not-object.json": "{\"platforms\": {\"tiktok\": \"x\"}}\n",
}

# --- json_fuzz -----------------------------------------------------------------------------------
JSONS = {
    "token.json": '{"access_token":"ya29.a0Example","expires_in":3599,"scope":"openid email","token_type":"Bearer"}',
    "ids.json": '{"user_id":17841400000000001,"big":18446744073709551615,"neg":-9223372036854775808,"float":1.5e300,"str_id":"17841400000000001","x":3600.0,"y":"-12"}',
    "nested.json": '{"data":[{"access_token":"IGAA","user_id":"1"}],"error":{"code":"ok","message":"","log_id":"1"},"paging":{"cursors":{"before":"a","after":"b"}}}',
    "escapes.json": '{"s":"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\udd11","e":"","u":"caf\u00e9"}',
    "scalars.json": '[null,true,false,0,-0,1e-7,"",[],{}]',
    "deep-array.json": "[" * 64 + "]" * 64,
    "too-deep-array.json": "[" * 65 + "]" * 65,
    "bad-utf8.json": b'{"s":"\xc3\x28"}',
    "lone-surrogate.json": '{"s":"\\ud800"}',
    "trailing.json": '{"a":1} {"b":2}',
    "string.json": '"just a string"',
    "whitespace.json": ' \n\t {"a" : [ 1 , 2 ] } \r\n',
}

# --- base64url_fuzz ------------------------------------------------------------------------------
BASE64URL = {
    "pkce-verifier.txt": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
    "pkce-challenge.txt": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    "state.txt": "Xq3c9m8yJ2vTz1uR0pLkA7sD5fG4hJ6kL8zX0cV2bN4",
    "one-byte.txt": "AA",
    "two-bytes.txt": "AAE",
    "non-canonical.txt": "AB",
    "padding.txt": "YWJj==",
    "standard-alphabet.txt": "a+b/c",
    "length-one.txt": "A",
    "empty.txt": "",
}

# --- vault_records_fuzz: hand-made variants of the plaintext (the generator writes the real ones) --
RECORDS = {
    "null-optional-fields.json": '{"v":1,"records":[{"platform":"tiktok","account":"_000abc","access_token":"act.x","refresh_token":null,"token_type":null,"scopes":null,"obtained_at":null,"metadata":null}]}',
    "unknown-fields.json": '{"v":1,"future":true,"records":[{"platform":"youtube","account":"UCx","access_token":"ya29.x","new_field":{"a":[1,2]},"default":false}]}',
    "version-2.json": '{"v":2,"records":[]}',
    "missing-account.json": '{"v":1,"records":[{"platform":"linkedin","access_token":"AQV"}]}',
    "duplicate-record.json": '{"v":1,"records":[{"platform":"x","account":"1","access_token":"a"},{"platform":"x","account":"1","access_token":"b"}]}',
    "bad-platform.json": '{"v":1,"records":[{"platform":"TikTok","account":"1","access_token":"a"}]}',
    "nul-escape.json": '{"v":1,"records":[{"platform":"tiktok","account":"1","access_token":"a\\u0000b"}]}',
    "string-version.json": '{"v":"1","records":[]}',
}


def main():
    for name, text in CALLBACKS.items():
        write("callback_query_fuzz", name, text)
    for name, text in PASTES.items():
        write("paste_fuzz", name, text)
    for name, text in REDIRECTS.items():
        write("redirect_uri_fuzz", name, text)
    for target, seeds in (("token_standard_fuzz", STANDARD), ("token_instagram_fuzz", INSTAGRAM), ("token_tiktok_fuzz", TIKTOK)):
        for name, (code, body) in seeds.items():
            write(target, name, status(code) + compact(body).encode())
    for name, (code, body) in STANDARD_RAW.items():
        write("token_standard_fuzz", name, status(code) + body.encode())
    for name, doc in METADATA.items():
        write("issuer_metadata_fuzz", name, json.dumps(doc, indent=2) + "\n")
    for name, doc in CONFIGS.items():
        write("config_fuzz", name, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    for name, text in CONFIGS_RAW.items():
        write("config_fuzz", name, text)
    for name, text in JSONS.items():
        write("json_fuzz", name, text)
    for name, text in BASE64URL.items():
        write("base64url_fuzz", name, text)
    for name, text in RECORDS.items():
        write("vault_records_fuzz", name, text)


if __name__ == "__main__":
    main()
