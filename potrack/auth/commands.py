"""`python -m potrack users ...` and `tokens ...`: manage who may sign in and which API tokens are valid."""

from __future__ import annotations

import argparse
import getpass
import sys

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from potrack.auth.tokens import create_token, list_tokens, revoke_token
from potrack.auth.users import UserError, add_user, check_password, disable_user, list_users, set_role
from potrack.store import audit
from potrack.store.models import ROLES, User


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the `users` and `tokens` commands to the CLI's parser."""
    users = sub.add_parser("users", help="dashboard users and their roles")
    u = users.add_subparsers(dest="users_command", required=True)
    add = u.add_parser("add", help="add a user (password from a prompt, or --password-stdin)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    u.add_parser("list", help="list users and roles")
    role = u.add_parser("set-role", help="change a user's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    password = u.add_parser("set-password", help="set a user's password (prompt, or --password-stdin)")
    password.add_argument("name")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    disable = u.add_parser("disable", help="stop a user from signing in")
    disable.add_argument("name")
    tokens = sub.add_parser("tokens", help="bearer tokens for the JSON API")
    t = tokens.add_subparsers(dest="tokens_command", required=True)
    create = t.add_parser("create", help="create a token and print it (once) on standard output")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=ROLES)
    t.add_parser("list", help="list tokens (never their values)")
    revoke = t.add_parser("revoke", help="revoke a token")
    revoke.add_argument("name")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat the password: ") != first:
        raise UserError("the two passwords differ")
    return first


def _set_password(engine: sa.Engine, name: str, password: str) -> None:
    digest = generate_password_hash(check_password(password))
    with engine.begin() as conn:
        if conn.execute(sa.update(User).where(User.name == name).values(password_hash=digest)).rowcount != 1:
            raise UserError(f"there is no user named {name!r}")
        audit.record(conn, "user.password_changed", f"password of {name} changed", actor="cli", details={"user": name})


def run_users(engine: sa.Engine, args: argparse.Namespace) -> None:
    """Carry out a `users` command; UserError names what was wrong."""
    command = args.users_command
    if command == "add":
        add_user(engine, args.name, args.role, _password(args.password_stdin))
        print(f"user {args.name} added with role {args.role}")
    elif command == "list":
        with engine.connect() as conn:
            for user in list_users(conn):
                print(f"{user.name}\t{user.role}\t{'disabled' if user.disabled else 'enabled'}")
    elif command == "set-role":
        set_role(engine, args.name, args.role)
        print(f"user {args.name} now has role {args.role}")
    elif command == "set-password":
        _set_password(engine, args.name, _password(args.password_stdin))
        print(f"password of {args.name} changed")
    else:
        disable_user(engine, args.name)
        print(f"user {args.name} disabled")


def run_tokens(engine: sa.Engine, args: argparse.Namespace) -> None:
    """Carry out a `tokens` command; `create` prints the token alone on stdout."""
    command = args.tokens_command
    if command == "create":
        print(create_token(engine, args.name, args.role), flush=True)
        print(f"token {args.name} created with role {args.role}; it is not shown again", file=sys.stderr)
    elif command == "list":
        with engine.connect() as conn:
            for token in list_tokens(conn):
                print(f"{token.name}\t{token.role}\t{'revoked' if token.revoked_at else 'active'}")
    else:
        revoke_token(engine, args.name)
        print(f"token {args.name} revoked")
