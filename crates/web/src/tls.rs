//! Built-in HTTPS (GB/T 22239-2019 8.1.4.8 数据保密性): `serve --tls-cert --tls-key` makes the
//! server speak TLS 1.2 and 1.3 only, through rustls on the ring provider.

use crate::AppState;
use rustls::ServerConfig;
use rustls::pki_types::pem::{self, PemObject};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why the certificate or key cannot be used; every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    // Not `#[source]`: the message already holds it, and anyhow's `{:#}` would repeat it.
    #[error("无法读取{what}文件 {path}:{error}")]
    Read {
        what: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },
    #[error("证书文件 {path} 中没有 PEM 格式的证书(-----BEGIN CERTIFICATE-----):{detail}")]
    NoCert { path: PathBuf, detail: String },
    #[error("私钥文件 {path} 中没有 PEM 格式的私钥(PKCS#8、RSA 或 EC):{detail}")]
    NoKey { path: PathBuf, detail: String },
    #[error("证书文件 {cert} 与私钥文件 {key} 不能使用:{detail}")]
    Unusable {
        cert: PathBuf,
        key: PathBuf,
        detail: String,
    },
}

fn read(what: &'static str, path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|error| TlsError::Read {
        what,
        path: path.to_path_buf(),
        error,
    })
}

fn pem_detail(e: &pem::Error) -> String {
    match e {
        pem::Error::NoItemsFound => "文件为空或不是 PEM 格式".into(),
        e => e.to_string(),
    }
}

/// The server's TLS settings from a PEM certificate chain (the server's own certificate
/// first) and its PEM private key, checked here so that a bad file stops the start, not the
/// first client.
pub fn load(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, TlsError> {
    let cert_pem = read("证书", cert)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .and_then(|c| {
            if c.is_empty() {
                Err(pem::Error::NoItemsFound)
            } else {
                Ok(c)
            }
        })
        .map_err(|e| TlsError::NoCert {
            path: cert.to_path_buf(),
            detail: pem_detail(&e),
        })?;
    let key_pem = read("私钥", key)?;
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| TlsError::NoKey {
        path: key.to_path_buf(),
        detail: pem_detail(&e),
    })?;
    // The provider is named rather than installed process-wide, so nothing else can pick
    // another one; rustls checks here that the key belongs to the certificate.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let unusable = |e: rustls::Error| TlsError::Unusable {
        cert: cert.to_path_buf(),
        key: key.to_path_buf(),
        detail: match e {
            rustls::Error::InconsistentKeys(_) => "私钥与证书不匹配".into(),
            e => e.to_string(),
        },
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(unusable)?
        .with_no_client_auth()
        .with_single_cert(chain, key_der)
        .map_err(unusable)?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Serve over TLS until the process is stopped. Every request is then HTTPS: the session
/// cookie is `Secure` and HSTS is sent (see `edges::over_https`).
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Arc<ServerConfig>,
    mut state: AppState,
) -> std::io::Result<()> {
    state.tls = true;
    let app = crate::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let tls = axum_server::tls_rustls::RustlsConfig::from_config(config);
    axum_server::tls_rustls::from_tcp_rustls(listener.into_std()?, tls)?
        .serve(app)
        .await
}
