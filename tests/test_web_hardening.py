"""Sign-in and session hardening of the web app: throttled sign-in with
lockouts kept in the database, sessions that end (sign-out, new password or
role, idle and absolute limits), Secure cookies over HTTPS and behind a
trusted proxy only, a CSP without inline styles, and the password rules of
``marsad users add|passwd``."""

from __future__ import annotations

import re
import time
import types

import argon2
import pytest
from click.testing import CliRunner

from marsad.cli import cli
from marsad.store import Store
from marsad.store import logins
from marsad.store.users import (
    MIN_PASSWORD_CHARS,
    UserError,
    add_user,
    authenticate,
    set_password,
)
from marsad.web import auth
from web_support import PASSWORD, login, make_client, web_db, web_template_db  # noqa: F401

T0 = 1_800_000_000.0  # a fixed "now" for the store-level tests


def fail(store: Store, name: str, address: str = "192.0.2.1", now: float = T0, times: int = 1):
    """``times`` wrong passwords for ``name``; what the last attempt did."""
    result = None
    for _ in range(times):
        result = logins.sign_in(store, name, "wrong password!", address, now=now)
    return result


def entries(store: Store, action: str) -> list[logins.SecurityEntry]:
    return [e for e in logins.security_entries(store) if e.action == action]


# ----------------------------------------------------------------------
# throttling in the store
# ----------------------------------------------------------------------

def test_an_account_locks_after_too_many_failures_and_unlocks_later(web_db):
    with Store.open(web_db) as store:
        assert fail(store, "edith", times=logins.MAX_ACCOUNT_FAILURES - 1) is None
        with pytest.raises(logins.SignInLocked) as locked:
            fail(store, "edith")
        assert locked.value.lock.kind == "account"
        assert locked.value.retry_after == logins.LOCKOUT_SECONDS
        assert "too many failed sign-ins for this account" in str(locked.value)
        # the right password is refused while locked, and nothing is verified
        with pytest.raises(logins.SignInLocked):
            logins.sign_in(store, "edith", PASSWORD, "198.51.100.9", now=T0 + 60)
        # other accounts are not affected
        assert logins.sign_in(store, "vera", PASSWORD, "192.0.2.1", now=T0 + 60).name == "vera"
        later = T0 + logins.LOCKOUT_SECONDS + 1
        assert logins.sign_in(store, "edith", PASSWORD, "192.0.2.1", now=later).name == "edith"
        [lockout] = entries(store, "lockout")
        assert (lockout.subject, lockout.address) == ("edith", "192.0.2.1")
        assert "account locked" in lockout.detail


def test_failures_outside_the_window_and_before_a_success_do_not_count(web_db):
    with Store.open(web_db) as store:
        fail(store, "edith", times=logins.MAX_ACCOUNT_FAILURES - 1)
        later = T0 + logins.FAILURE_WINDOW_SECONDS + 1
        assert fail(store, "edith", now=later, times=logins.MAX_ACCOUNT_FAILURES - 1) is None
        assert logins.sign_in(store, "edith", PASSWORD, "192.0.2.1", now=later).name == "edith"
        assert fail(store, "edith", now=later, times=logins.MAX_ACCOUNT_FAILURES - 1) is None
        with pytest.raises(logins.SignInLocked):
            fail(store, "edith", now=later)


def test_unknown_names_lock_like_real_ones(web_db):
    """A lock tells nothing about which names exist."""
    with Store.open(web_db) as store:
        messages = []
        for name in ("edith", "no-such-user"):
            with pytest.raises(logins.SignInLocked) as locked:
                fail(store, name, times=logins.MAX_ACCOUNT_FAILURES)
            messages.append(str(locked.value))
        assert messages[0] == messages[1]


def test_an_address_locks_after_failures_over_many_names(web_db):
    with Store.open(web_db) as store:
        for i in range(logins.MAX_ADDRESS_FAILURES - 1):
            assert fail(store, f"guess{i}", address="203.0.113.5") is None
        with pytest.raises(logins.SignInLocked) as locked:
            fail(store, "guess-last", address="203.0.113.5")
        assert locked.value.lock == logins.Lock("address", "203.0.113.5",
                                                T0 + logins.LOCKOUT_SECONDS)
        assert "your address" in str(locked.value)
        with pytest.raises(logins.SignInLocked):  # even a right password, from there
            logins.sign_in(store, "vera", PASSWORD, "203.0.113.5", now=T0 + 1)
        assert logins.sign_in(store, "vera", PASSWORD, "203.0.113.6", now=T0 + 1).name == "vera"
        assert logins.unlock(store, address="203.0.113.5", by="ada") == 1
        assert logins.sign_in(store, "vera", PASSWORD, "203.0.113.5", now=T0 + 2).name == "vera"
        assert [(e.subject, e.actor, e.detail) for e in entries(store, "unlock")] == [
            ("203.0.113.5", "ada", "address")]


def test_locks_survive_a_restart_and_are_shared_by_server_processes(web_db):
    """Two apps over one database (two `marsad serve` processes), then a third
    started afterwards: the failures add up and the lock holds everywhere."""
    first, second = make_client(web_db), make_client(web_db)
    for number, client in enumerate([first, second, first, second, first]):
        token = client.get("/api/session").json()["csrf_token"]
        response = client.post("/api/session", json={"name": "edith", "password": f"wrong {number}"},
                               headers={"X-CSRF-Token": token})
        assert response.status_code == (401 if number < 4 else 429), (number, response.text)
    restarted = make_client(web_db, host="198.51.100.20")
    token = restarted.get("/api/session").json()["csrf_token"]
    response = restarted.post("/api/session", json={"name": "edith", "password": PASSWORD},
                              headers={"X-CSRF-Token": token})
    assert response.status_code == 429
    assert 0 < int(response.headers["retry-after"]) <= logins.LOCKOUT_SECONDS
    assert "too many failed sign-ins" in response.json()["error"]["message"]


def test_unknown_names_cost_the_same_argon2_work(web_db, monkeypatch):
    """Timing cannot tell names apart: an unknown name is verified against a
    dummy hash with the same parameters as real ones."""
    checked: list[str] = []
    real_verify = argon2.PasswordHasher.verify

    def verify(self, hash, password):
        checked.append(hash)
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)
    with Store.open(web_db) as store:
        assert authenticate(store, "edith", "wrong password!") is None
        assert authenticate(store, "no-such-user", "wrong password!") is None
        assert authenticate(store, "edith", PASSWORD).name == "edith"
    assert len(checked) == 3
    parameters = [h.rsplit("$", 2)[0] for h in checked]
    assert parameters[0] == parameters[1] == parameters[2]
    assert checked[1] != checked[0], "not the real user's hash"


# ----------------------------------------------------------------------
# lockouts in the web app
# ----------------------------------------------------------------------

def form_token(client, path: str = "/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_login_page_says_why_and_admins_see_and_lift_the_lock(web_db):
    client = make_client(web_db)
    for attempt in range(logins.MAX_ACCOUNT_FAILURES):
        response = client.post("/login", data={"csrf_token": form_token(client), "name": "edith",
                                               "password": f"wrong {attempt}", "next": "/map"})
        assert response.status_code == 303 and response.headers["location"].startswith("/login")
    page = client.get(response.headers["location"], headers={"accept": "text/html"}).text
    notice = re.search(r'<p class="flash error locked"[^>]*>([^<]+)</p>', page)
    assert notice and "too many failed sign-ins" in notice.group(1), page[:2000]
    admin = make_client(web_db, host="198.51.100.30")
    login(admin, "ada")
    users = admin.get("/users").text
    assert "account edith" in users and "lockout" in users
    token = form_token(admin, "/users")
    response = admin.post("/users/unlock", data={"csrf_token": token, "kind": "account",
                                                 "key": "edith"})
    assert response.status_code == 303
    assert "account edith" not in admin.get("/users").text
    login(client, "edith")
    with Store.open(web_db) as store:
        assert [(e.subject, e.actor) for e in entries(store, "unlock")] == [("edith", "ada")]


def test_users_unlock_and_log_commands(web_db):
    with Store.open(web_db) as store:
        with pytest.raises(logins.SignInLocked):
            fail(store, "edith", now=time.time(), times=logins.MAX_ACCOUNT_FAILURES)
    runner = CliRunner()
    listed = runner.invoke(cli, ["users", "list", "--db", str(web_db)])
    assert re.search(r"^edith\teditor\t\S+\tlocked until ", listed.output, re.M), listed.output
    result = runner.invoke(cli, ["users", "unlock", "edith", "--db", str(web_db)])
    assert result.exit_code == 0 and "unlocked edith" in result.output
    result = runner.invoke(cli, ["users", "unlock", "edith", "--db", str(web_db)])
    assert result.exit_code == 0 and "no lock was in place" in result.output
    assert runner.invoke(cli, ["users", "unlock", "--db", str(web_db)]).exit_code == 2
    with Store.open(web_db) as store:
        assert logins.sign_in(store, "edith", PASSWORD, "192.0.2.1").name == "edith"
    log = runner.invoke(cli, ["users", "log", "--db", str(web_db)]).output.splitlines()
    assert [line.split("\t")[1:4] for line in log[:3]] == [
        ["unlock", "edith", "cli"], ["unlock", "edith", "cli"], ["lockout", "edith", ""]]


# ----------------------------------------------------------------------
# sessions
# ----------------------------------------------------------------------

SESSION_COOKIE = "marsad_session"


def test_sign_out_ends_the_session_on_the_server_too(web_db):
    client = make_client(web_db)
    token = login(client, "edith")
    copied = client.cookies.get(SESSION_COOKIE)
    assert client.post("/api/logout", headers={"X-CSRF-Token": token}).status_code == 200
    thief = make_client(web_db)
    thief.cookies.set(SESSION_COOKIE, copied)
    assert thief.get("/api/events").status_code == 401, "a copy of the old cookie is dead"
    page = thief.get("/events", headers={"accept": "text/html"})
    assert page.status_code == 303
    assert "your session has ended" in thief.get(page.headers["location"]).text


@pytest.mark.parametrize("change", ["passwd", "role"])
def test_a_new_password_or_role_ends_the_users_sessions(web_db, change):
    client = make_client(web_db)
    login(client, "edith")
    other = make_client(web_db)
    login(other, "vera")
    args = (["passwd", "edith", "--password-stdin"] if change == "passwd"
            else ["role", "edith", "viewer"])
    result = CliRunner().invoke(cli, ["users", *args, "--db", str(web_db)],
                                input="a brand new passphrase\n")
    assert result.exit_code == 0, result.output
    assert client.get("/api/events").status_code == 401
    assert other.get("/api/events").status_code == 200, "other users keep their sessions"
    login(client, "edith", "a brand new passphrase" if change == "passwd" else PASSWORD)


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def time(self) -> float:
        return self.now


def test_sessions_end_when_idle_and_after_the_absolute_limit(web_db, monkeypatch):
    clock = Clock(T0)
    monkeypatch.setattr(auth, "time", types.SimpleNamespace(time=clock.time))
    client = make_client(web_db)
    login(client, "vera")
    step = auth.SESSION_IDLE_SECONDS - 60
    elapsed = 0
    while elapsed + step < auth.SESSION_ABSOLUTE_SECONDS:  # busy: kept alive by requests
        clock.now += step
        elapsed += step
        assert client.get("/api/events").status_code == 200, elapsed
    clock.now = T0 + auth.SESSION_ABSOLUTE_SECONDS
    assert client.get("/api/events").status_code == 401, "absolute limit"
    login(client, "vera")
    clock.now += auth.SESSION_IDLE_SECONDS
    assert client.get("/api/events").status_code == 401, "idle limit"


def cookie_of(response) -> str:
    return next(v for k, v in response.headers.multi_items()
                if k == "set-cookie" and v.startswith(SESSION_COOKIE)).lower()


def secure(cookie: str) -> bool:
    return bool(re.search(r";\s*secure\s*(;|$)", cookie))


def sign_in_response(client, headers: dict | None = None):
    token = client.get("/api/session", headers=headers or {}).json()["csrf_token"]
    return client.post("/api/session", json={"name": "vera", "password": PASSWORD},
                       headers={"X-CSRF-Token": token, **(headers or {})})


def app_client(db, host="192.0.2.10", base_url="http://testserver", **options):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from marsad.web.app import create_app

    return TestClient(create_app(str(db), **options), base_url=base_url, client=(host, 50000),
                      follow_redirects=False)


def test_session_cookie_is_secure_over_https_only(web_db):
    plain = sign_in_response(app_client(web_db))
    assert not secure(cookie_of(plain))
    assert "httponly" in cookie_of(plain) and "samesite=lax" in cookie_of(plain)
    assert f"max-age={auth.SESSION_ABSOLUTE_SECONDS}" in cookie_of(plain)
    over_https = sign_in_response(app_client(web_db, base_url="https://testserver"))
    assert secure(cookie_of(over_https))
    assert "strict-transport-security" not in plain.headers
    assert over_https.headers["strict-transport-security"].startswith("max-age=")
    # Secure on plain HTTP too when asked (so the client will not send it back here)
    assert secure(cookie_of(app_client(web_db, secure_cookies=True).get("/api/session")))


def test_forwarded_headers_are_believed_from_trusted_proxies_only(web_db):
    https = {"x-forwarded-proto": "https", "x-forwarded-for": "203.0.113.77"}
    untrusted = app_client(web_db, host="192.0.2.10", trusted_proxies="127.0.0.1")
    assert not secure(cookie_of(sign_in_response(untrusted, https)))
    not_asked = app_client(web_db, host="127.0.0.1")
    assert not secure(cookie_of(sign_in_response(not_asked, https)))
    proxied = app_client(web_db, host="127.0.0.1", trusted_proxies="127.0.0.1")
    assert secure(cookie_of(proxied.get("/api/session", headers=https)))
    # failures are counted against the client behind the proxy, not the proxy
    # (over plain HTTP here: the test client keeps a Secure cookie off http://)
    forwarded = {"x-forwarded-for": https["x-forwarded-for"]}
    token = proxied.get("/api/session", headers=forwarded).json()["csrf_token"]
    response = proxied.post("/api/session", json={"name": "edith", "password": "wrong password!"},
                            headers={"X-CSRF-Token": token, **forwarded})
    assert response.status_code == 401
    with Store.open(web_db) as store:
        addresses = [r[0] for r in store._conn.execute("SELECT address FROM login_failures")]
    assert addresses == ["203.0.113.77"]


# ----------------------------------------------------------------------
# CSP and passwords
# ----------------------------------------------------------------------

def test_no_inline_styles_allowed_or_used(web_db):
    client = make_client(web_db)
    login(client, "ada")
    with Store.open(web_db) as store:
        event_id = store.events(limit=1)[0].event_id
    for path in ("/events", "/map", "/timeline", f"/events/{event_id}", "/documents/doc-homs",
                 "/users", "/login", "/docs", "/nope"):
        response = client.get(path, headers={"accept": "text/html"})
        directives = dict(d.strip().split(" ", 1)
                          for d in response.headers["content-security-policy"].split(";"))
        assert directives["style-src"] == "'self'", path
        assert "unsafe-inline" not in response.headers["content-security-policy"]
        assert not re.search(r"<style|\sstyle=", response.text, re.I), path


def test_password_rules(web_db):
    with Store.open(web_db) as store:
        for name, password in (("nina", "x" * (MIN_PASSWORD_CHARS - 1)),
                               ("longname.x", "LongName.X"), ("nina", "")):
            with pytest.raises(UserError):
                add_user(store, name, "viewer", password)
        add_user(store, "nina", "viewer", "x" * MIN_PASSWORD_CHARS)
        add_user(store, "analyst.one", "viewer", "a long enough one")
        with pytest.raises(UserError, match="user name"):
            set_password(store, "analyst.one", "Analyst.One")
        with pytest.raises(UserError, match="no user"):
            set_password(store, "nobody", "a long enough one")
    client = make_client(web_db)
    token = login(client, "ada")
    response = client.post("/api/users", headers={"X-CSRF-Token": token},
                           json={"name": "omar", "role": "viewer", "password": "short"})
    assert response.status_code == 400
    assert f"{MIN_PASSWORD_CHARS} to" in response.json()["error"]["message"]


def test_users_passwd_command(web_db):
    runner = CliRunner()
    db = ["--db", str(web_db)]
    result = runner.invoke(cli, ["users", "passwd", "edith", *db],
                           input="first new passphrase\nfirst new passphrase\n")
    assert result.exit_code == 0, result.output
    assert "first new passphrase" not in result.output, "the password is not echoed"
    with Store.open(web_db) as store:
        assert authenticate(store, "edith", "first new passphrase") is not None
        assert authenticate(store, "edith", PASSWORD) is None
        [changed] = entries(store, "password-changed")
        assert (changed.subject, changed.actor) == ("edith", "cli")
    mismatch = runner.invoke(cli, ["users", "passwd", "edith", *db],
                             input="one passphrase\nanother one\n")
    assert mismatch.exit_code != 0 and "do not match" in mismatch.output.lower()
    added = runner.invoke(cli, ["users", "add", "analyst.one", "--password-stdin", *db],
                          input="a long enough one\n")
    assert added.exit_code == 0, added.output
    for name, password, message in (("edith", "short", f"{MIN_PASSWORD_CHARS} to"),
                                    ("analyst.one", "ANALYST.ONE", "user name"),
                                    ("nobody", "a long enough one", "no user")):
        result = runner.invoke(cli, ["users", "passwd", name, "--password-stdin", *db],
                               input=password + "\n")
        assert isinstance(result.exception, UserError), (name, result.output)
        assert message in str(result.exception), name
    with Store.open(web_db) as store:
        assert authenticate(store, "edith", "first new passphrase") is not None


def test_users_change_their_own_password_and_other_sessions_end(web_db):
    client, laptop = make_client(web_db), make_client(web_db)
    login(client, "edith")
    login(laptop, "edith")
    page = client.get("/account").text
    assert 'href="/account"' in page and f'minlength="{MIN_PASSWORD_CHARS}"' in page
    token = form_token(client, "/account")
    for form, message in (({"password": PASSWORD, "new_password": "my new passphrase",
                            "confirm_password": "my new passfrase"}, "do not match"),
                          ({"password": PASSWORD, "new_password": "short",
                            "confirm_password": "short"}, f"{MIN_PASSWORD_CHARS} to"),
                          ({"password": "wrong password!", "new_password": "my new passphrase",
                            "confirm_password": "my new passphrase"}, "current password is wrong")):
        response = client.post("/account/password", data={"csrf_token": token, **form})
        assert response.status_code == 303
        assert message in client.get("/account").text, message
    with Store.open(web_db) as store:  # the wrong current password counted as a failed sign-in
        assert store._conn.execute("SELECT name FROM login_failures"
                                   ).fetchall() == [("edith",)]
    response = client.post("/account/password", data={
        "csrf_token": token, "password": PASSWORD, "new_password": "my new passphrase",
        "confirm_password": "my new passphrase"})
    assert "password changed" in client.get(response.headers["location"]).text
    assert client.get("/api/events").status_code == 200, "this session goes on"
    assert laptop.get("/api/events").status_code == 401, "the other one ended"
    login(laptop, "edith", "my new passphrase")
    with Store.open(web_db) as store:
        [changed] = entries(store, "password-changed")
        assert (changed.subject, changed.actor) == ("edith", "edith")
