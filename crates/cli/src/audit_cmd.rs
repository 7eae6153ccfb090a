//! `clusterdesk audit verify`: walk the audit trail's chain and name the first record that
//! does not fit; and the actor the command line writes as (`cli:<OS user>`).

use anyhow::{Result, bail};
use clap::Subcommand;
use clusterdesk_store::{Actor, Store};

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the chain of the audit trail. With --head SEQ:HASH (printed by an earlier run and
    /// kept outside the database), also check that the chain still reaches that record.
    Verify {
        #[arg(long)]
        head: Option<String>,
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
        AuditCmd::Verify { head } => verify(store, head.as_deref()).await,
    }
}

async fn verify(store: &Store, anchor: Option<&str>) -> Result<()> {
    let chain = store.audit_chain().await?;
    let by_seq: std::collections::HashMap<i64, String> =
        chain.iter().map(|r| (r.seq, r.hash.clone())).collect();
    match clusterdesk_domain::audit::verify(chain) {
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
            println!("审计记录 {} 条,链完整。", h.records);
            println!("链头:{}:{}", h.seq, h.hash);
            println!("请把链头另行留存(如打印或存于其他服务器),以后用 --head 核对最新记录未被删除。");
            Ok(())
        }
    }
}
