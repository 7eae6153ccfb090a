//! `clusterdesk audit verify`: walk the audit trail's chain and name the first record that
//! does not fit; `audit archive`: move records older than 180 days or more to a file; and the
//! actor the command line writes as (`cli:<OS user>`).

use anyhow::{Result, bail};
use clap::Subcommand;
use clusterdesk_store::{Actor, Store};

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the chain of the audit trail. With --head SEQ:HASH (printed by an earlier run and
    /// kept outside the database), also check that the chain still reaches that record. With
    /// --archive FILE (repeatable), also check archive files: each one's own chain, its SHA-256
    /// against the archive record that names it, and that the table continues from the last.
    Verify {
        #[arg(long)]
        head: Option<String>,
        #[arg(long = "archive")]
        archives: Vec<std::path::PathBuf>,
    },
    /// Move the records written before --before (a date at least 180 days ago) to FILE (JSON
    /// lines, hashes included; it must not exist); the rest keeps verifying. On PostgreSQL run
    /// it with the owner's database address.
    Archive {
        #[arg(long)]
        before: String,
        file: std::path::PathBuf,
    },
}

/// The operating-system account running this command.
fn os_user() -> String {
    for var in ["USER", "LOGNAME"] {
        if let Ok(u) = std::env::var(var)
            && !u.trim().is_empty()
        {
            return u.trim().to_string();
        }
    }
    // SAFETY: getuid has no preconditions and cannot fail.
    format!("uid{}", unsafe { libc::getuid() })
}

/// The actor of every change made from the command line: `cli:<OS user>`.
pub fn cli_actor() -> Actor {
    Actor::system(&format!("cli:{}", os_user()))
}

pub async fn run(store: &Store, c: &AuditCmd) -> Result<()> {
    match c {
        AuditCmd::Verify { head, archives } => {
            verify(store, head.as_deref()).await?;
            if archives.is_empty() {
                Ok(())
            } else {
                verify_archives(store, archives).await
            }
        }
        AuditCmd::Archive { before, file } => archive(store, before, file).await,
    }
}

async fn archive(store: &Store, before: &str, file: &std::path::Path) -> Result<()> {
    let Ok(date) = chrono::NaiveDate::parse_from_str(before.trim(), "%Y-%m-%d") else {
        bail!("--before 应为日期,如 2026-06-01");
    };
    let a = store
        .archive_audit(&cli_actor(), date, store.today(), file)
        .await?;
    println!(
        "已把第 {} 至 {} 条审计记录({} 条)归档到 {}。",
        a.first_seq,
        a.through_seq,
        a.records,
        file.display()
    );
    println!("归档文件的 SHA-256:{}", a.file_sha256);
    println!(
        "库中的记录从第 {} 条起接续,归档本身记为一条审计记录。请把归档文件另行妥善保存。",
        a.through_seq + 1
    );
    Ok(())
}

async fn verify_archives(store: &Store, paths: &[std::path::PathBuf]) -> Result<()> {
    use clusterdesk_store::audit_archive::read_archive;
    let mut files = Vec::new();
    for p in paths {
        let bytes = std::fs::read(p).map_err(|e| anyhow::anyhow!("不能读取 {}:{e}", p.display()))?;
        let name = p
            .file_name()
            .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned());
        files.push(read_archive(&name, &bytes).map_err(anyhow::Error::msg)?);
    }
    match store.audit_verify_archives(files).await? {
        Err(why) => bail!("{why}"),
        Ok(c) => {
            println!(
                "归档文件 {} 份(第 {} 至 {} 条,共 {} 条)完整,与库中记录衔接。",
                c.files, c.first_seq, c.through_seq, c.records
            );
            if c.earlier_not_given {
                println!("第 {} 条以前的归档文件未给出,未核对与其衔接。", c.first_seq);
            }
            Ok(())
        }
    }
}

async fn verify(store: &Store, anchor: Option<&str>) -> Result<()> {
    let chain = store.audit_chain().await?;
    let by_seq: std::collections::HashMap<i64, String> =
        chain.iter().map(|r| (r.seq, r.hash.clone())).collect();
    match store.audit_verify().await? {
        Err(b) => bail!("审计记录链在第 {} 条断开:{}", b.seq, b.reason),
        Ok(h) => {
            if let Some(a) = anchor {
                let (seq, hash) = a
                    .split_once(':')
                    .and_then(|(s, h)| Some((s.parse::<i64>().ok()?, h)))
                    .ok_or_else(|| anyhow::anyhow!("--head 应写作 序号:散列,如 42:3f9a…"))?;
                match by_seq.get(&seq) {
                    Some(stored) if stored == hash => {}
                    Some(_) => bail!("第 {seq} 条记录与留存的链头不符(记录被改写)"),
                    None => bail!("第 {seq} 条记录已不存在(最新的记录被删除),现存 {} 条", h.records),
                }
            }
            match store.audit_start().await? {
                Some((seq, _)) => println!("审计记录 {} 条(第 {seq} 条及以前已归档),链完整。", h.records),
                None => println!("审计记录 {} 条,链完整。", h.records),
            }
            println!("链头:{}:{}", h.seq, h.hash);
            println!("请把链头另行留存(如打印或存于其他服务器),以后用 --head 核对最新记录未被删除。");
            Ok(())
        }
    }
}
