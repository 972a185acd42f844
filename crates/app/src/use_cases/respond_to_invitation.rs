//! What a contact does with an invitation link: look at it (what the GET of
//! the landing page shows — it changes nothing, since mail scanners open every
//! link), accept it, or decline it (both only from the page's POST).

use std::sync::Arc;

use portico_domain::{
    Actor, ChosenPassword, Invitation, InvitationMode, InvitationStatus, Login, LoginId, PasswordPolicyError,
    SecretToken, TransitionError, Username,
};

use crate::{
    AcceptanceRepository, AcceptedLogin, BoxError, Clock, CustomerRepository, InvitationReader, InvitationWrite,
    InvitationWriter, LoginRepository, Merchant, MerchantRepository, PasswordHasher, PortalDisabled, RepositoryError,
    TokenSource,
};

/// Why a link does not work, each with its own page and next step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkProblem {
    /// Malformed, unknown, or not this invitation's.
    Invalid,
    /// Past its expiry: a fresh link can be requested.
    Expired,
    /// A newer link was sent.
    Replaced,
    /// Already accepted or declined.
    Used(InvitationStatus),
    /// Withdrawn by the merchant.
    Revoked,
}

/// How the contact completes an open invitation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompletionForm {
    /// Link mode, new person: choose a password.
    ChoosePassword,
    /// Link mode, the email already has a login: sign in to add this customer.
    SignInToLink,
    /// Credentials mode: the emailed username and password, then a new password.
    Credentials,
}

/// What the landing page shows for an open invitation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenInvitation {
    /// The merchant.
    pub merchant: Merchant,
    /// The customer's name.
    pub customer_name: String,
    /// The contact's name.
    pub contact_name: String,
    /// The address the invitation went to (becomes the username in link mode).
    pub recipient: String,
    /// How to complete it.
    pub form: CompletionForm,
    /// When the link expires.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// How the contact accepts.
#[derive(Clone, PartialEq, Eq)]
pub enum AcceptWith {
    /// Link mode: the password to create the login with.
    NewPassword(String),
    /// Link mode, existing login: its current password.
    ExistingLogin(String),
    /// Credentials mode: what the email said, and the password replacing it.
    Credentials {
        /// The emailed username.
        username: String,
        /// The emailed password.
        password: String,
        /// The new password.
        new_password: String,
    },
}

impl std::fmt::Debug for AcceptWith {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Passwords never reach a log.
        let form = match self {
            Self::NewPassword(_) => "NewPassword",
            Self::ExistingLogin(_) => "ExistingLogin",
            Self::Credentials { .. } => "Credentials",
        };
        write!(f, "AcceptWith::{form}(<redacted>)")
    }
}

/// Why a response was refused.
#[derive(Debug, thiserror::Error)]
pub enum RespondToInvitationError {
    /// The link does not work.
    #[error("the invitation link does not work: {0:?}")]
    Link(LinkProblem),
    /// The chosen password breaks the policy.
    #[error(transparent)]
    WeakPassword(PasswordPolicyError),
    /// The username or password is wrong (never says which).
    #[error("the username or password is wrong")]
    WrongCredentials,
    /// The form does not match the invitation (a credentials form for a link
    /// invitation, a new password where a login exists...).
    #[error("this invitation is completed differently; reload the page")]
    WrongForm,
    /// The portal is disabled.
    #[error("the customer portal is disabled")]
    PortalDisabled,
    /// An infrastructure failure.
    #[error("responding to the invitation failed")]
    Unexpected(#[source] BoxError),
}

impl From<PortalDisabled> for RespondToInvitationError {
    fn from(_: PortalDisabled) -> Self {
        Self::PortalDisabled
    }
}

impl From<RepositoryError> for RespondToInvitationError {
    fn from(error: RepositoryError) -> Self {
        Self::Unexpected(error.into())
    }
}

/// The ports the use case needs.
#[derive(Clone)]
pub struct RespondToInvitation {
    /// Merchants.
    pub merchants: Arc<dyn MerchantRepository>,
    /// Invitations, read.
    pub invitations: Arc<dyn InvitationReader>,
    /// Invitations, written (a decline).
    pub writer: Arc<dyn InvitationWriter>,
    /// Customers and contacts (names).
    pub customers: Arc<dyn CustomerRepository>,
    /// Logins.
    pub logins: Arc<dyn LoginRepository>,
    /// Atomic acceptance.
    pub acceptance: Arc<dyn AcceptanceRepository>,
    /// Password hashing.
    pub hasher: Arc<dyn PasswordHasher>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Ids.
    pub tokens: Arc<dyn TokenSource>,
}

impl std::fmt::Debug for RespondToInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RespondToInvitation").finish_non_exhaustive()
    }
}

/// An accepted invitation: who signed in to what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accepted {
    /// The login, new or existing.
    pub login_id: LoginId,
    /// The invitation accepted.
    pub invitation: Invitation,
}

type Result<T> = std::result::Result<T, RespondToInvitationError>;

impl RespondToInvitation {
    /// What the landing page shows. Changes nothing.
    ///
    /// # Errors
    /// `Link` with the problem, `PortalDisabled`, or a storage failure.
    pub async fn view(&self, raw_token: &str) -> Result<OpenInvitation> {
        let (invitation, _, merchant) = self.open(raw_token).await?;
        let detail = self
            .customers
            .find(merchant.id, invitation.customer_id())
            .await?
            .ok_or(RespondToInvitationError::Link(LinkProblem::Invalid))?;
        let contact_name = detail
            .contacts
            .iter()
            .find(|c| c.id == invitation.contact_id())
            .map(portico_domain::Contact::display_name)
            .unwrap_or_default();
        let form = match invitation.mode() {
            InvitationMode::Credentials { .. } => CompletionForm::Credentials,
            InvitationMode::Link => match self.existing_login(&merchant, &invitation).await? {
                Some(_) => CompletionForm::SignInToLink,
                None => CompletionForm::ChoosePassword,
            },
        };
        Ok(OpenInvitation {
            customer_name: detail.customer.name,
            contact_name,
            recipient: invitation.recipient().to_string(),
            form,
            expires_at: invitation.expires_at().unwrap_or_else(|| self.clock.now()),
            merchant,
        })
    }

    /// Accepts: creates the login (or links the customer to the existing one)
    /// and marks the invitation accepted, atomically.
    ///
    /// # Errors
    /// [`RespondToInvitationError`].
    pub async fn accept(&self, raw_token: &str, with: AcceptWith) -> Result<Accepted> {
        let (mut invitation, token, merchant) = self.open(raw_token).await?;
        let existing = match invitation.mode() {
            InvitationMode::Link => self.existing_login(&merchant, &invitation).await?,
            InvitationMode::Credentials { username, .. } => self.logins.find_by_username(merchant.id, username).await?,
        };
        let login = match (invitation.mode().clone(), with, existing) {
            (InvitationMode::Link, AcceptWith::NewPassword(password), None) => {
                let username = link_username(&invitation);
                let chosen = check_policy(&password, &[username.as_str()])?;
                AcceptedLogin::New(self.new_login(&merchant, &invitation, username, &chosen).await?)
            }
            (InvitationMode::Link, AcceptWith::ExistingLogin(password), Some(login)) => {
                if !self.hasher.verify(&password, &login.password_hash).await.map_err(unexpected)? {
                    return Err(RespondToInvitationError::WrongCredentials);
                }
                AcceptedLogin::Existing(login.id)
            }
            (
                InvitationMode::Credentials { username, password_hash },
                AcceptWith::Credentials { username: given, password, new_password },
                None,
            ) => {
                let same_user = Username::parse(&given).is_ok_and(|u| u == username);
                // Verify even when the username is wrong, so timing does not tell which part was.
                let password_ok = self.hasher.verify(&password, &password_hash).await.map_err(unexpected)?;
                if !(same_user && password_ok) {
                    return Err(RespondToInvitationError::WrongCredentials);
                }
                if new_password == password {
                    return Err(RespondToInvitationError::WeakPassword(PasswordPolicyError::Guessable));
                }
                let chosen = check_policy(&new_password, &[username.as_str(), invitation.recipient().as_str()])?;
                AcceptedLogin::New(self.new_login(&merchant, &invitation, username, &chosen).await?)
            }
            _ => return Err(RespondToInvitationError::WrongForm),
        };
        let now = self.clock.now();
        let actor = Actor::Contact(invitation.contact_id());
        let event = invitation.accept(&token, actor, now).map_err(link_problem)?;
        let write = InvitationWrite { invitation: invitation.clone(), event, email: None };
        let login_id = match &login {
            AcceptedLogin::New(new) => new.id,
            AcceptedLogin::Existing(id) => *id,
        };
        match self.acceptance.accept(merchant.id, &write, &login).await {
            Ok(()) => Ok(Accepted { login_id, invitation }),
            // Someone else took the username, or the invitation moved on, in between.
            Err(RepositoryError::Conflict { .. }) => Err(RespondToInvitationError::WrongForm),
            Err(e) => Err(e.into()),
        }
    }

    /// Declines.
    ///
    /// # Errors
    /// [`RespondToInvitationError`].
    pub async fn decline(&self, raw_token: &str) -> Result<Invitation> {
        let (mut invitation, token, merchant) = self.open(raw_token).await?;
        let actor = Actor::Contact(invitation.contact_id());
        let event = invitation.decline(&token, actor, self.clock.now()).map_err(link_problem)?;
        let write = InvitationWrite { invitation: invitation.clone(), event, email: None };
        match self.writer.update(merchant.id, &write).await {
            Ok(()) => Ok(invitation),
            // Accepted, resent or revoked meanwhile: the page shows it afresh.
            Err(RepositoryError::Conflict { .. }) => Err(RespondToInvitationError::WrongForm),
            Err(e) => Err(e.into()),
        }
    }

    /// Finds the invitation of a working link, with its merchant.
    async fn open(&self, raw_token: &str) -> Result<(Invitation, SecretToken, Merchant)> {
        let invalid = RespondToInvitationError::Link(LinkProblem::Invalid);
        let token = SecretToken::parse(raw_token).map_err(|_| RespondToInvitationError::Link(LinkProblem::Invalid))?;
        let invitation = self.invitations.find_by_token(&token.hash()).await?.ok_or(invalid)?;
        invitation.check_token(&token, self.clock.now()).map_err(link_problem)?;
        let merchant = self
            .merchants
            .get(invitation.merchant_id())
            .await?
            .ok_or(RespondToInvitationError::Link(LinkProblem::Invalid))?;
        merchant.ensure_portal_enabled()?;
        Ok((invitation, token, merchant))
    }

    async fn existing_login(&self, merchant: &Merchant, invitation: &Invitation) -> Result<Option<Login>> {
        Ok(self.logins.find_by_username(merchant.id, &link_username(invitation)).await?)
    }

    async fn new_login(
        &self,
        merchant: &Merchant,
        invitation: &Invitation,
        username: Username,
        password: &ChosenPassword,
    ) -> Result<Login> {
        let password_hash = self.hasher.hash(password.expose()).await.map_err(unexpected)?;
        Ok(Login {
            id: LoginId::from_uuid(self.tokens.uuid()),
            merchant_id: merchant.id,
            username,
            password_hash,
            must_change_password: false,
            customers: vec![invitation.customer_id()],
        })
    }
}

/// In link mode the person signs in with the address the invitation reached.
fn link_username(invitation: &Invitation) -> Username {
    Username::from_email(invitation.recipient())
}

fn check_policy(password: &str, personal: &[&str]) -> Result<ChosenPassword> {
    ChosenPassword::parse(password, personal).map_err(RespondToInvitationError::WeakPassword)
}

fn link_problem(error: TransitionError) -> RespondToInvitationError {
    let problem = match error {
        TransitionError::Expired => LinkProblem::Expired,
        TransitionError::Replaced => LinkProblem::Replaced,
        TransitionError::NotAllowed { status: InvitationStatus::Revoked, .. } => LinkProblem::Revoked,
        TransitionError::NotAllowed { status, .. } => LinkProblem::Used(status),
        TransitionError::WrongToken | TransitionError::TooSoon { .. } | TransitionError::WrongMode(_) => {
            LinkProblem::Invalid
        }
    };
    RespondToInvitationError::Link(problem)
}

fn unexpected(error: BoxError) -> RespondToInvitationError {
    RespondToInvitationError::Unexpected(error)
}
