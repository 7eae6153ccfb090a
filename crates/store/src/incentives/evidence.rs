//! Evidence files attached to a claim.

use super::{EvidenceInfo, MAX_EVIDENCE_BYTES};
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_policy::PolicySet;
use sqlx::Row;

impl Store {
    /// Attach an evidence file to a claim that is still a draft or waiting for the county.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        set: &PolicySet,
        id: i64,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<EvidenceInfo> {
        // A file name is shown to the reviewers: U+202E could make `发票exe.pdf` read as a PDF.
        let name =
            clusterdesk_domain::text::clean(clusterdesk_domain::text::Field::line("文件名", 200), file_name)
                .map_err(|r| StoreError::Invalid(format!("file:{r}")))?;
        let name = name.as_str();
        if name.is_empty() {
            return Err(StoreError::Invalid("file:请选择要上传的文件".into()));
        }
        if bytes.is_empty() {
            return Err(StoreError::Invalid(format!("file:文件“{name}”是空的")));
        }
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(StoreError::Invalid(format!(
                "file:文件“{name}”超过 {} MB",
                MAX_EVIDENCE_BYTES / 1024 / 1024
            )));
        }
        let mut tx = self.begin_write().await?;
        let c = self.claim_row(&mut tx, set, id).await?;
        if !Self::can_see_claim(actor, &c) {
            return Err(StoreError::NotFound(format!("申请 #{id}")));
        }
        // Who first (403), then the state (409).
        if !self.who_for(actor, &c).may_add_evidence() {
            return Err(StoreError::Forbidden(
                "只有申报人或所在县(市)可以上传证明材料".into(),
            ));
        }
        if !c.status.takes_evidence() {
            return Err(StoreError::Conflict(format!(
                "申请 #{id} 当前状态为“{}”,不能再上传材料",
                c.status.label()
            )));
        }
        use sha2::Digest;
        let sha = sha2::Sha256::digest(bytes);
        let sha: String = sha.iter().map(|b| format!("{b:02x}")).collect();
        let ts = self.now();
        let ctype = if content_type.trim().is_empty() {
            "application/octet-stream"
        } else {
            content_type.trim()
        };
        let ev_id: i64 = sqlx::query_scalar(
            "INSERT INTO claim_evidence (claim_id, file_name, content_type, size, sha256, bytes, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(name)
        .bind(ctype)
        .bind(bytes.len() as i64)
        .bind(&sha)
        .bind(bytes.to_vec())
        .bind(&actor.username)
        .bind(&ts)
        .fetch_one(&mut *tx)
        .await?;
        self.log_change(
            &mut tx,
            actor,
            "claim_evidence",
            &id.to_string(),
            "upload",
            None,
            Some(serde_json::json!({"file": name, "sha256": sha, "size": bytes.len()}).to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(EvidenceInfo {
            id: ev_id,
            file_name: name.to_string(),
            content_type: ctype.to_string(),
            size: bytes.len() as i64,
            sha256: sha,
            uploaded_by: actor.username.clone(),
            uploaded_at: ts,
        })
    }

    /// One evidence file: (name, content type, bytes).
    pub async fn get_evidence(
        &self,
        actor: &Actor,
        set: &PolicySet,
        id: i64,
        evidence: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        self.get_claim(actor, set, id).await?;
        let r = sqlx::query(
            "SELECT file_name, content_type, bytes FROM claim_evidence WHERE id = $1 AND claim_id = $2",
        )
        .bind(evidence)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("材料 #{evidence}")))?;
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
    }
}
