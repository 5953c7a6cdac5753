//! Custodian keys made on the token: the RSA key pair is generated there (non-extractable,
//! sensitive), the self-signed certificate is signed there (SHA-256 RSA PKCS#1 v1.5), and
//! the certificate is stored beside the key under the same CKA_ID. The private key never
//! exists outside the token.

use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use der::asn1::{AnyRef, BitStringRef, UintRef};
use der::{Decode, Encode};
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::signature::{self, Verifier};
use sha2::Sha256;
use spki::{AlgorithmIdentifier, SignatureAlgorithmIdentifier, SubjectPublicKeyInfoRef};

use super::error::{TokenError, from_cryptoki};
use super::module::{TokenInfo, TokenModule};
use crate::rsa_numbers::strip_zeros;
use crate::selfsigned::self_signed_by;
use crate::{Certificate, CertificateParams};

/// One key pair to make on a token.
#[derive(Clone, Debug)]
pub struct TokenKeySpec<'a> {
    /// CKA_LABEL of the key pair and certificate.
    pub label: &'a str,
    /// CKA_ID of the key pair and certificate (the URI's `id=`).
    pub id: &'a [u8],
    /// Modulus size in bits.
    pub bits: usize,
    /// The self-signed certificate's subject and validity.
    pub certificate: &'a CertificateParams,
}

/// Signs with the private key on the token; the signature is checked on the host before it
/// goes into a certificate.
struct TokenSigner<'a> {
    session: &'a Session,
    key: ObjectHandle,
    public: rsa::PublicKey,
}

impl signature::Keypair for TokenSigner<'_> {
    type VerifyingKey = VerifyingKey<Sha256>;

    fn verifying_key(&self) -> Self::VerifyingKey {
        VerifyingKey::new(self.public.clone())
    }
}

impl SignatureAlgorithmIdentifier for TokenSigner<'_> {
    type Params = AnyRef<'static>;

    const SIGNATURE_ALGORITHM_IDENTIFIER: AlgorithmIdentifier<Self::Params> =
        <VerifyingKey<Sha256> as SignatureAlgorithmIdentifier>::SIGNATURE_ALGORITHM_IDENTIFIER;
}

impl signature::Signer<Signature> for TokenSigner<'_> {
    fn try_sign(&self, msg: &[u8]) -> Result<Signature, signature::Error> {
        let raw = self
            .session
            .sign(&Mechanism::Sha256RsaPkcs, self.key, msg)
            .map_err(signature::Error::from_source)?;
        let sig = Signature::try_from(raw.as_slice())?;
        VerifyingKey::<Sha256>::new(self.public.clone()).verify(msg, &sig)?;
        Ok(sig)
    }
}

/// The RSA public key with modulus `n` and exponent `e`.
fn public_key(n: &[u8], e: &[u8]) -> Result<rsa::PublicKey, TokenError> {
    let bad = |why: String| TokenError::Device(format!("the generated public key: {why}"));
    let pkcs1 = pkcs1::RsaPublicKeyRef {
        modulus: UintRef::new(n).map_err(|e| bad(e.to_string()))?,
        public_exponent: UintRef::new(e).map_err(|e| bad(e.to_string()))?,
    }
    .to_der()
    .map_err(|e| bad(e.to_string()))?;
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifier {
            oid: pkcs1::ALGORITHM_OID,
            parameters: Some(AnyRef::NULL),
        },
        subject_public_key: BitStringRef::from_bytes(&pkcs1).map_err(|e| bad(e.to_string()))?,
    }
    .to_der()
    .map_err(|e| bad(e.to_string()))?;
    let spki = SubjectPublicKeyInfoRef::from_der(&spki).map_err(|e| bad(e.to_string()))?;
    rsa::PublicKey::try_from(spki).map_err(|e| bad(e.to_string()))
}

fn public_numbers(session: &Session, h: ObjectHandle) -> Result<(Vec<u8>, Vec<u8>), TokenError> {
    let attrs = session
        .get_attributes(h, &[AttributeType::Modulus, AttributeType::PublicExponent])
        .map_err(|e| from_cryptoki(&e))?;
    let (mut n, mut e) = (Vec::new(), Vec::new());
    for a in attrs {
        match a {
            Attribute::Modulus(v) => n = strip_zeros(&v).to_vec(),
            Attribute::PublicExponent(v) => e = strip_zeros(&v).to_vec(),
            _ => {}
        }
    }
    Ok((n, e))
}

impl TokenModule {
    /// Generates one RSA key pair per spec on `token` (CKA_TOKEN, CKA_PRIVATE, CKA_SENSITIVE
    /// true; CKA_EXTRACTABLE false), has the token sign each self-signed certificate, stores
    /// each certificate under its key's id, and returns the certificates in order.
    ///
    /// Every id and label is checked free before the first key is made, and when a later
    /// step fails, the objects made so far are destroyed: the token ends with all the new
    /// keys or none.
    ///
    /// # Errors
    /// [`TokenError::IdInUse`] when an object with one of the ids or labels exists already;
    /// PIN errors; [`TokenError::Unsupported`] when the token refuses the key size or
    /// mechanism; [`TokenError::Certificate`] when a certificate cannot be made.
    pub fn generate_keys(
        &self,
        token: &TokenInfo,
        pin: Option<&[u8]>,
        specs: &[TokenKeySpec<'_>],
    ) -> Result<Vec<Certificate>, TokenError> {
        let session = self.session(token, pin, true)?;
        for spec in specs {
            for template in [
                vec![Attribute::Id(spec.id.to_vec())],
                vec![Attribute::Label(spec.label.as_bytes().to_vec())],
            ] {
                if !session
                    .find_objects(&template)
                    .map_err(|e| from_cryptoki(&e))?
                    .is_empty()
                {
                    return Err(TokenError::IdInUse {
                        label: spec.label.to_owned(),
                        id: crate::token::percent_encode_all(spec.id),
                    });
                }
            }
        }
        let mut made: Vec<ObjectHandle> = Vec::new();
        let mut certs = Vec::with_capacity(specs.len());
        for spec in specs {
            match generate_one(&session, spec, &mut made) {
                Ok(c) => certs.push(c),
                Err(e) => {
                    // Best effort: a half-made set of custodian keys must not look finished.
                    for h in made.into_iter().rev() {
                        let _ = session.destroy_object(h);
                    }
                    return Err(e);
                }
            }
        }
        Ok(certs)
    }
}

/// Makes one key pair and its certificate, recording every object made in `made`.
fn generate_one(
    session: &Session,
    spec: &TokenKeySpec<'_>,
    made: &mut Vec<ObjectHandle>,
) -> Result<Certificate, TokenError> {
    let bits = u64::try_from(spec.bits).map_err(|_| TokenError::KeySize { bits: spec.bits })?;
    let common = [
        Attribute::Token(true),
        Attribute::Label(spec.label.as_bytes().to_vec()),
        Attribute::Id(spec.id.to_vec()),
    ];
    let mut public_template = vec![
        Attribute::ModulusBits(bits.into()),
        Attribute::PublicExponent(vec![0x01, 0x00, 0x01]),
        Attribute::Private(false),
        Attribute::Encrypt(true),
        Attribute::Verify(true),
    ];
    public_template.extend(common.iter().cloned());
    let mut private_template = vec![
        Attribute::Private(true),
        Attribute::Sensitive(true),
        Attribute::Extractable(false),
        Attribute::Decrypt(true),
        // For its own certificate's signature.
        Attribute::Sign(true),
    ];
    private_template.extend(common.iter().cloned());
    let (public, private) = session
        .generate_key_pair(
            &Mechanism::RsaPkcsKeyPairGen,
            &public_template,
            &private_template,
        )
        .map_err(|e| match from_cryptoki(&e) {
            TokenError::Device(why) => {
                TokenError::Unsupported(format!("generating an RSA-{} key pair: {why}", spec.bits))
            }
            other => other,
        })?;
    made.extend([public, private]);
    store_certificate(session, public, private, spec, made)
}

/// Signs the certificate on the token and stores it beside the key pair.
fn store_certificate(
    session: &Session,
    public: ObjectHandle,
    private: ObjectHandle,
    spec: &TokenKeySpec<'_>,
    made: &mut Vec<ObjectHandle>,
) -> Result<Certificate, TokenError> {
    let (n, e) = public_numbers(session, public)?;
    let signer = TokenSigner {
        session,
        key: private,
        public: public_key(&n, &e)?,
    };
    let cert = self_signed_by(&signer.public, &signer, spec.certificate)
        .map_err(|e| TokenError::Certificate(e.to_string()))?;
    let subject = cert
        .x509()
        .tbs_certificate()
        .subject()
        .to_der()
        .map_err(|e| TokenError::Certificate(e.to_string()))?;
    let handle = session
        .create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Label(spec.label.as_bytes().to_vec()),
            Attribute::Id(spec.id.to_vec()),
            Attribute::Subject(subject),
            Attribute::Value(cert.der().to_vec()),
        ])
        .map_err(|e| from_cryptoki(&e))?;
    made.push(handle);
    Ok(cert)
}
