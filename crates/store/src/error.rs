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
    #[error("数据库迁移失败:{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
