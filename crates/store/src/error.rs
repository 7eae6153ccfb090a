//! The storage layer's one error type.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}不存在")]
    NotFound(String),
    #[error("无权访问:{0}")]
    Forbidden(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("数据库错误:{0}")]
    Db(#[from] sqlx::Error),
    /// A failure of the engine outside sqlx (SQLite's C API, a bulk COPY): its text is for the
    /// log and the command line, never for a page.
    #[error("数据库错误:{0}")]
    Engine(String),
    #[error("数据库迁移失败:{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl StoreError {
    /// A failure of the system rather than of the request: logged in full, shown to people only
    /// as a reference number.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            StoreError::Db(_) | StoreError::Migrate(_) | StoreError::Engine(_)
        )
    }
}

impl From<clusterdesk_domain::text::TextRefusal> for StoreError {
    fn from(r: clusterdesk_domain::text::TextRefusal) -> Self {
        StoreError::Invalid(r.to_string())
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
