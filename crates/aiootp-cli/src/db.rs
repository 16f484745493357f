//! `aiootp db`: the encrypted database of aiootp 0.17.0 from the command
//! line (directories the reference reads and writes).
//!
//! ```text
//! aiootp db --dir DIR (--key-file F [--depth N]
//!                      | --profile --username U --password-file P [--salt S] [--credential C]...)
//!           [--metatag NAME]... (get TAG | set TAG JSON | set TAG - | delete TAG
//!                                | list | dump | metatags | delete-metatag NAME)
//! ```
//!
//! * Tags and metatag names are the given text, as Python `str` (the tag
//!   `2020` is the string `'2020'`, not the int); `--json-names` reads
//!   them as JSON values instead (`2020`, `null`, `"text"`), to reach the
//!   int, `None` or float tags a Python program may use. A tag starting
//!   with `-` is taken as is, except `--help`-like ones: put `--` before
//!   the tag (`get -- --x`).
//! * Values are JSON; what is printed is Python's `json.dumps` text
//!   (`get`: the value; `list` / `metatags`: a JSON array; `dump`:
//!   `{"tags": {tag: value, ...}, "metatags": {name: {"tags": ..., "metatags": ...}}}`),
//!   one line each.
//! * `--metatag NAME` (repeatable) acts on a child database, then its
//!   child ...; `set` creates missing children, other commands refuse
//!   them.
//! * Reads open read-only and never block a writer; a wrong key, depth or
//!   password is reported. Writes take the database's writer lock, change
//!   it in memory and save it atomically.
//! * A profile's salt file is kept in `DIR/secure` (`--secure-dir`
//!   elsewhere), where the reference keeps it when `DIR` is its default
//!   directory. `set` creates a missing profile; the token passcrypt costs
//!   default to the reference's (`--kb 32768 --cpu 3 --hardness 1024`).

use std::path::PathBuf;

use aiootp::compat::passcrypt::{Passcrypt, Password};
use aiootp::compat::{PyValue, pyjson};
use aiootp::db::{Database, OpenOptions, ProfileOptions};
use aiootp::error::DbError;
use clap::{ArgGroup, Args, Subcommand};
use zeroize::Zeroizing;

use crate::error::CliError;
use crate::io::{read_input, read_key_file, read_secret_text, write_output};

/// `aiootp db`.
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("keying").required(true).args(["key_file", "profile"])),
    after_help = "TAG and NAME are text (a Python str) unless --json-names is given; \
                  put `--` before a TAG that starts with `--` (`get -- --x`). Values are JSON; \
                  output is Python's json.dumps text. Reads never change the directory."
)]
pub struct DbArgs {
    /// The database directory (it must exist; other databases may share it).
    #[arg(long, value_name = "DIR")]
    pub dir: PathBuf,
    /// The key file: its text is the key, exactly (one trailing newline is
    /// dropped).
    #[arg(long, value_name = "F")]
    pub key_file: Option<PathBuf>,
    /// Key-stretching steps (the reference's `password_depth`, default 0;
    /// use thousands for a password). A wrong depth opens nothing.
    #[arg(long, value_name = "N", requires = "key_file")]
    pub depth: Option<u64>,
    /// Open a password profile (reference: `Database.generate_profile`)
    /// instead of a key.
    #[arg(long, requires_all = ["username", "password_file"])]
    pub profile: bool,
    /// The profile's user name.
    #[arg(
        long,
        value_name = "U",
        requires = "profile",
        allow_hyphen_values = true
    )]
    pub username: Option<String>,
    /// The profile's password file: its text is the password, exactly
    /// (one trailing newline is dropped).
    #[arg(long, value_name = "P", requires = "profile")]
    pub password_file: Option<PathBuf>,
    /// The profile tokens' optional salt (the reference's `salt=`).
    #[arg(
        long,
        value_name = "S",
        requires = "profile",
        allow_hyphen_values = true
    )]
    pub salt: Option<String>,
    /// A profile credential (repeatable, in order; the reference's
    /// `*credentials`).
    #[arg(
        long = "credential",
        value_name = "C",
        requires = "profile",
        allow_hyphen_values = true
    )]
    pub credentials: Vec<String>,
    /// Profile token passcrypt memory in KiB (default 32768).
    #[arg(long, value_name = "N", requires = "profile")]
    pub kb: Option<u64>,
    /// Profile token passcrypt passes (default 3).
    #[arg(long, value_name = "N", requires = "profile")]
    pub cpu: Option<u64>,
    /// Profile token passcrypt hardness (default 1024).
    #[arg(long, value_name = "N", requires = "profile")]
    pub hardness: Option<u64>,
    /// Where the profile's salt file lives (default DIR/secure).
    #[arg(long, value_name = "DIR", requires = "profile")]
    pub secure_dir: Option<PathBuf>,
    /// Act on this child database (repeat to go deeper).
    #[arg(long = "metatag", value_name = "NAME", allow_hyphen_values = true)]
    pub metatags: Vec<String>,
    /// Read TAG and the metatag NAMEs as JSON values (`2020`, `null`,
    /// `"text"`) instead of as text.
    #[arg(long)]
    pub json_names: bool,
    /// Let `set` start a new database even when other databases' files are
    /// in DIR (by default refused as a likely wrong key or depth).
    #[arg(long, conflicts_with = "profile")]
    pub create: bool,
    /// What to do.
    #[command(subcommand)]
    pub op: DbOp,
}

/// The operations of `aiootp db`.
#[derive(Debug, Subcommand)]
pub enum DbOp {
    /// Print the value of TAG (JSON); fails if there is no such tag.
    Get {
        /// The tag.
        #[arg(allow_hyphen_values = true)]
        tag: String,
    },
    /// Store JSON under TAG (`-`: read the JSON from stdin) and save.
    Set {
        /// The tag.
        #[arg(allow_hyphen_values = true)]
        tag: String,
        /// The value as JSON, or `-` for stdin.
        #[arg(allow_hyphen_values = true)]
        json: String,
    },
    /// Remove TAG and save; fails if there is no such tag.
    Delete {
        /// The tag.
        #[arg(allow_hyphen_values = true)]
        tag: String,
    },
    /// Print the tags as a JSON array, in the database's order.
    List,
    /// Print every tag and value and every child database, as JSON.
    Dump,
    /// Print the names of the child databases as a JSON array.
    Metatags,
    /// Delete the child database NAME (and its children) and save.
    DeleteMetatag {
        /// The child's name.
        #[arg(allow_hyphen_values = true)]
        name: String,
    },
}

fn lib(e: DbError) -> CliError {
    CliError::Lib(e.into())
}

fn name_value(args: &DbArgs, text: &str) -> Result<PyValue, CliError> {
    if args.json_names {
        pyjson::loads(text).map_err(|e| CliError::Usage(format!("{text:?} is not JSON: {e}")))
    } else {
        Ok(PyValue::Str(text.to_owned()))
    }
}

/// How the operation opens the database.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Read-only; the database must exist.
    Read,
    /// Writable; the database must exist.
    Change,
    /// Writable; a missing database (or profile) is created.
    Create,
}

fn open(args: &DbArgs, access: Access) -> Result<Database, CliError> {
    let options = OpenOptions::new()
        .preload(false)
        .read_only(access == Access::Read)
        .must_exist(access != Access::Create)
        .create(args.create);
    if let Some(key_file) = &args.key_file {
        let key = read_key_file(key_file)?;
        return options
            .password_depth(args.depth.unwrap_or(0))
            .open(&args.dir, &key)
            .map_err(lib);
    }
    let (Some(username), Some(password_file)) = (&args.username, &args.password_file) else {
        return Err(CliError::Usage(
            "--profile needs --username and --password-file".into(),
        ));
    };
    let password = Password::new(&read_secret_text(password_file, "password")?);
    let settings = Passcrypt::new(
        args.kb.unwrap_or(Passcrypt::PROFILE.kb()),
        args.cpu.unwrap_or(Passcrypt::PROFILE.cpu()),
        args.hardness.unwrap_or(Passcrypt::PROFILE.hardness()),
    )
    .map_err(|e| lib(e.into()))?;
    let credentials: Vec<PyValue> = args
        .credentials
        .iter()
        .map(|c| PyValue::Str(c.clone()))
        .collect();
    let tokens = Database::generate_profile_tokens(
        &credentials,
        username.as_str(),
        &password,
        args.salt.clone().map(PyValue::Str),
        settings,
    )
    .map_err(lib)?;
    let mut profile = ProfileOptions::new().open_options(options);
    if let Some(dir) = &args.secure_dir {
        profile = profile.salt_dir(dir);
    }
    match access {
        Access::Create => profile.generate(&args.dir, &tokens),
        Access::Read | Access::Change => profile.load(&args.dir, &tokens),
    }
    .map_err(lib)
}

/// The child at `path` (created if `create`, else it must exist).
fn descend<'a>(
    db: &'a mut Database,
    path: &[PyValue],
    create: bool,
) -> Result<&'a mut Database, CliError> {
    let mut node = db;
    for name in path {
        let repr = name.repr();
        if !create && !node.metatags().iter().any(|m| m.repr() == repr) {
            return Err(lib(DbError::NoSuchMetatag {
                name: name.str_text(),
            }));
        }
        node = node.metatag(name.clone()).map_err(lib)?;
    }
    Ok(node)
}

/// `{"tags": {tag: value}, "metatags": {name: <dump>}}` of `db`.
fn dump(db: &mut Database) -> Result<PyValue, CliError> {
    let tags = db.to_map().map_err(lib)?;
    let mut children = Vec::new();
    for name in db.metatags().to_vec() {
        let child = db.metatag(name.clone()).map_err(lib)?;
        children.push((name, dump(child)?));
    }
    Ok(PyValue::Dict(vec![
        (PyValue::from("tags"), tags),
        (PyValue::from("metatags"), PyValue::Dict(children)),
    ]))
}

fn print_json(value: &PyValue) -> Result<(), CliError> {
    let mut line = Zeroizing::new(pyjson::dumps(value)?);
    line.push('\n');
    write_output(None, line.as_bytes())
}

fn no_such_tag(tag: &PyValue) -> CliError {
    let shown = pyjson::dumps(tag).unwrap_or_else(|_| tag.repr());
    CliError::Usage(format!("no tag {shown} in this database"))
}

/// Runs one `aiootp db` operation.
pub fn run(args: &DbArgs) -> Result<(), CliError> {
    let path = args
        .metatags
        .iter()
        .map(|n| name_value(args, n))
        .collect::<Result<Vec<_>, _>>()?;
    let access = match &args.op {
        DbOp::Set { .. } => Access::Create,
        DbOp::Delete { .. } | DbOp::DeleteMetatag { .. } => Access::Change,
        DbOp::Get { .. } | DbOp::List | DbOp::Dump | DbOp::Metatags => Access::Read,
    };
    // Parse everything given before opening (a passcrypt may be slow).
    let value = match &args.op {
        DbOp::Set { json, .. } if json == "-" => {
            let input = Zeroizing::new(read_input(None)?);
            Some(
                pyjson::loads_bytes(&input)
                    .map_err(|e| CliError::Usage(format!("the value on stdin is not JSON: {e}")))?,
            )
        }
        DbOp::Set { json, .. } => Some(
            pyjson::loads(json)
                .map_err(|e| CliError::Usage(format!("the value is not JSON: {e}")))?,
        ),
        _ => None,
    };
    let mut db = open(args, access)?;
    let node = descend(&mut db, &path, access == Access::Create)?;
    match (&args.op, value) {
        (DbOp::Get { tag }, _) => {
            let tag = name_value(args, tag)?;
            match node.get_value(tag.clone()).map_err(lib)? {
                Some(value) => print_json(value),
                None => Err(no_such_tag(&tag)),
            }
        }
        (DbOp::List, _) => print_json(&PyValue::List(node.tags().cloned().collect())),
        (DbOp::Metatags, _) => print_json(&PyValue::List(node.metatags().to_vec())),
        (DbOp::Dump, _) => print_json(&dump(node)?),
        (DbOp::Set { tag, .. }, Some(value)) => {
            node.set_value(name_value(args, tag)?, value).map_err(lib)?;
            db.save().map_err(lib)
        }
        (DbOp::Delete { tag }, _) => {
            let tag = name_value(args, tag)?;
            if !node.delete(tag.clone()).map_err(lib)? {
                return Err(no_such_tag(&tag));
            }
            db.save().map_err(lib)
        }
        (DbOp::DeleteMetatag { name }, _) => {
            node.delete_metatag(name_value(args, name)?).map_err(lib)?;
            db.save().map_err(lib)
        }
        (DbOp::Set { .. }, None) => Err(CliError::Usage("set needs a value".into())),
    }
}
