//! `paperstand user …`: members from the command line — the first admin, roles, a list,
//! deleting an account.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use paperstand_store::{Identity, NewUser, Page, Role, StoreError, TokenKind};
use time::{Duration, OffsetDateTime};

use crate::accounts::password;
use crate::config::Config;
use crate::web::account_deletion::personal_event_keys;
use crate::web::accounts::{check_display_name, normalize_email};
use crate::web::auth::{random_token, token_hash};

/// How long the set-your-password link printed by `user create` works.
const SETUP_LINK_LIFETIME: Duration = Duration::hours(48);

/// `paperstand user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a member (confirmed at once), e.g. the first admin
    #[command(
        after_help = "Without --password-stdin, prints a link where the member chooses their own password \
                      (valid 48 hours).\n\nExamples:\n  paperstand user create --email ada@example.org --admin\n  \
                      printf '%s\\n' \"$PASSWORD\" | paperstand user create --email bot@example.org --password-stdin"
    )]
    Create(CreateArgs),
    /// List members, the newest first
    List(ListArgs),
    /// Change a member's role
    SetRole(SetRoleArgs),
    /// Delete a member and everything personal, for good
    #[command(
        after_help = "Deletes the account, sessions, library, topics, votes, digest subscription and \
                      rate-limit records; comments stay as \"[deleted]\" and submitted papers stay without \
                      the member's name (docs/decisions.md). Then checks that no table still names them.\n\n\
                      Example:\n  paperstand user delete --email ada@example.org --yes"
    )]
    Delete(DeleteArgs),
}

/// `user create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The member's e-mail address
    #[arg(long)]
    email: String,
    /// Display name [default: the part of the address before @]
    #[arg(long)]
    name: Option<String>,
    /// Make them an admin (same as --role admin)
    #[arg(long, conflicts_with = "role")]
    admin: bool,
    /// member, curator or admin
    #[arg(long, default_value = "member")]
    role: String,
    /// Read the password from the first line of standard input
    #[arg(long)]
    password_stdin: bool,
}

/// `user list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// At most this many
    #[arg(long, default_value_t = 100)]
    limit: u32,
}

/// `user set-role`.
#[derive(Debug, Args)]
pub struct SetRoleArgs {
    /// The member's e-mail address
    email: String,
    /// member, curator or admin
    role: String,
}

/// `user delete`.
#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The member's e-mail address
    #[arg(long)]
    email: String,
    /// Really delete (without it, nothing happens)
    #[arg(long)]
    yes: bool,
}

/// Runs a `user` command.
pub async fn run(config: &Config, command: &UserCommand) -> anyhow::Result<ExitCode> {
    let store = crate::app::open_store(config).await?;
    let now = OffsetDateTime::now_utc();
    match command {
        UserCommand::Create(args) => {
            let email = normalize_email(&args.email).with_context(|| {
                format!(
                    "{:?} is not an e-mail address",
                    crate::cli::printable(&args.email)
                )
            })?;
            let role = if args.admin {
                Role::Admin
            } else {
                parse_role(&args.role)?
            };
            let default_name = email.split('@').next().unwrap_or_default().to_owned();
            let name = check_display_name(args.name.as_deref().unwrap_or(&default_name))
                .map_err(anyhow::Error::msg)?;
            let chosen = if args.password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .lock()
                    .read_line(&mut line)
                    .context("cannot read the password from standard input")?;
                let line = line.trim_end_matches(['\r', '\n']).to_owned();
                password::check_policy(&line, &email).map_err(|e| anyhow::anyhow!("{e}"))?;
                Some(line)
            } else {
                None
            };
            // Without a chosen password the account gets a random one nobody knows,
            // and the member sets theirs through the printed link.
            let secret = chosen.clone().unwrap_or_else(random_token);
            let hash = tokio::task::spawn_blocking(move || password::hash(&secret)).await??;
            let user = match store
                .create_user(
                    &NewUser {
                        email,
                        display_name: name,
                        password_hash: hash,
                        role,
                        verified: true,
                    },
                    now,
                )
                .await
            {
                Ok(user) => user,
                Err(StoreError::Conflict { .. }) => {
                    bail!(
                        "an account with that address exists already; use `paperstand user set-role` to change its role"
                    )
                }
                Err(other) => return Err(other.into()),
            };
            println!(
                "Created {} ({}), id {}.",
                user.display_name,
                role.as_str(),
                user.id
            );
            if chosen.is_none() {
                let token = random_token();
                store
                    .create_token(
                        TokenKind::Reset,
                        &token_hash(&token),
                        user.id,
                        now,
                        now + SETUP_LINK_LIFETIME,
                    )
                    .await?;
                println!(
                    "They choose a password here (the link works once, for 48 hours):\n  {}/reset/{token}",
                    config.public_url()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::List(args) => {
            let users = store.users(Page::numbered(1, args.limit.max(1))).await?;
            let total = store.count_users().await?;
            println!(
                "{:>6}  {:<8}  {:<10}  {:<28}  e-mail",
                "id", "role", "joined", "name"
            );
            for user in &users {
                let mut state = String::new();
                if user.email_verified_at.is_none() {
                    state.push_str(" (unconfirmed)");
                }
                if user.suspended_at.is_some() {
                    state.push_str(" (suspended)");
                }
                println!(
                    "{:>6}  {:<8}  {:<10}  {:<28}  {}{state}",
                    user.id,
                    user.role.as_str(),
                    paperstand_core::record::format_date(user.created_at.date()),
                    crate::cli::printable(&user.display_name),
                    user.email
                );
            }
            println!("{} of {total} members", users.len());
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::SetRole(args) => {
            let role = parse_role(&args.role)?;
            let email = normalize_email(&args.email).with_context(|| {
                format!(
                    "{:?} is not an e-mail address",
                    crate::cli::printable(&args.email)
                )
            })?;
            let Some(found) = store.credentials(&email).await? else {
                bail!("no member has that address; `paperstand user list` shows who does");
            };
            store.set_role(found.user.id, role, now).await?;
            println!("{} is now {}.", found.user.display_name, role.as_str());
            Ok(ExitCode::SUCCESS)
        }
        UserCommand::Delete(args) => delete(store.as_ref(), args, now).await,
    }
}

/// `user delete`: deletes the member, then scans every table for what still names them.
async fn delete(
    store: &dyn paperstand_store::Store,
    args: &DeleteArgs,
    now: OffsetDateTime,
) -> anyhow::Result<ExitCode> {
    let email = normalize_email(&args.email).with_context(|| {
        format!(
            "{:?} is not an e-mail address",
            crate::cli::printable(&args.email)
        )
    })?;
    let Some(found) = store.credentials(&email).await? else {
        bail!("no member has that address; `paperstand user list` shows who does");
    };
    let user = found.user;
    if !args.yes {
        bail!(
            "this deletes {} (id {}) and everything personal for good; add --yes to do it",
            crate::cli::printable(&user.display_name),
            user.id
        );
    }
    let keys = personal_event_keys(&user);
    let Some(gone) = store.delete_user(user.id, &keys, now).await? else {
        bail!("the member was deleted meanwhile");
    };
    println!(
        "Deleted {} (id {}): {} library rows, {} votes, {} subscriptions, {} sessions; \
         {} comments kept as [deleted], {} submissions kept without their name.",
        crate::cli::printable(&user.display_name),
        user.id,
        gone.library,
        gone.votes,
        gone.subscriptions,
        gone.sessions,
        gone.comments,
        gone.submissions
    );
    let who = Identity {
        id: user.id,
        texts: vec![user.email],
        keys,
    };
    let traces = store.traces(&who).await?;
    if traces.is_empty() {
        println!("No table names them any more.");
        Ok(ExitCode::SUCCESS)
    } else {
        println!("Still naming them: {}", traces.join(", "));
        Ok(ExitCode::FAILURE)
    }
}

fn parse_role(text: &str) -> anyhow::Result<Role> {
    Role::parse(text.trim()).with_context(|| {
        format!(
            "{:?} is not a role: use member, curator or admin",
            crate::cli::printable(text)
        )
    })
}
