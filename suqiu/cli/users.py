"""Web user commands: add, list, passwd, enable, disable."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from suqiu.cli.choices import UserRole
from suqiu.cli.output import HomeOpt, JsonOpt, emit, err, fail, load
from suqiu.twoway.accounts import AuthError, add_user, list_users, set_active, set_password

user_app = typer.Typer(no_args_is_help=True, help="Web users: petition office, departments, public.")
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from stdin.")]


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


@user_app.command("add")
def user_add(username: Annotated[str, typer.Argument(help="Login name.")],
             role: Annotated[UserRole, typer.Option(help="What the user may see and do.")] = UserRole.OFFICE,
             department: Annotated[Optional[str], typer.Option(help="Department name (role=department).")] = None,
             display_name: Annotated[Optional[str], typer.Option(help="Name shown on pages.")] = None,
             password_stdin: PasswordStdin = False,
             replace: Annotated[bool, typer.Option(help="Overwrite an existing user.")] = False,
             home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """Add a web user; the password is stored as a salted hash."""
    inst = load(home)
    try:
        user = add_user(inst.store, username, _read_password(password_stdin), role.value, department, display_name,
                        config=inst.config, replace=replace)
    except AuthError as exc:
        fail(str(exc))
    if as_json:
        emit({"username": user.username, "role": user.role, "department": user.department})
    else:
        err.print(f"已添加用户 {user.username}（{user.role_label}）")


@user_app.command("list")
def user_list(home: HomeOpt = None, as_json: JsonOpt = False) -> None:
    """List web users (never their password hashes)."""
    users = [{"username": u.username, "role": u.role, "department": u.department,
              "display_name": u.display_name, "active": u.active} for u in list_users(load(home).store)]
    if as_json:
        emit({"users": users})
        return
    for u in users:
        err.print(f"{u['username']:20} {u['role']:16} {u['department'] or '':14} {'启用' if u['active'] else '停用'}")


@user_app.command("passwd")
def user_passwd(username: Annotated[str, typer.Argument(help="Login name.")], password_stdin: PasswordStdin = False,
                home: HomeOpt = None) -> None:
    """Set a user's password; the user's open sessions end."""
    try:
        set_password(load(home).store, username, _read_password(password_stdin))
    except AuthError as exc:
        fail(str(exc))
    err.print(f"已更新用户 {username} 的密码")


def _set_active(username: str, active: bool, home: HomeOpt) -> None:
    try:
        set_active(load(home).store, username, active)
    except AuthError as exc:
        fail(str(exc))
    err.print(f"已{'启用' if active else '停用'}用户 {username}")


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument(help="Login name.")], home: HomeOpt = None) -> None:
    """Disable a user; the user's sessions end at once."""
    _set_active(username, False, home)


@user_app.command("enable")
def user_enable(username: Annotated[str, typer.Argument(help="Login name.")], home: HomeOpt = None) -> None:
    """Enable a disabled user again."""
    _set_active(username, True, home)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
