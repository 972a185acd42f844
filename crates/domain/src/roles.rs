//! Staff roles and the permissions they grant.

/// Something a staff member may be allowed to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// Invite contacts to the portal, resend and revoke.
    SendPortalInvitation,
    /// Send to many contacts at once (invite all, resend all expired).
    BulkEmailContacts,
    /// Edit email templates.
    ManageTemplates,
    /// See payments and transactions.
    ViewPayments,
    /// Refund payments, in full or in part.
    RefundPayments,
    /// Change portal settings, import data, create API keys.
    ManageSettings,
    /// See the customer directory and invitations.
    ViewCustomers,
}

impl Permission {
    /// The `snake_case` name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::SendPortalInvitation => "send_portal_invitation",
            Self::BulkEmailContacts => "bulk_email_contacts",
            Self::ManageTemplates => "manage_templates",
            Self::ViewPayments => "view_payments",
            Self::RefundPayments => "refund_payments",
            Self::ManageSettings => "manage_settings",
            Self::ViewCustomers => "view_customers",
        }
    }
}

/// A staff role: a named set of permissions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything.
    Admin,
    /// Invites and follows up, one by one or in bulk; sees payments.
    Collector,
    /// Invites one at a time; no bulk sends.
    Clerk,
    /// Reads only.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Self; 4] = [Self::Admin, Self::Collector, Self::Clerk, Self::Viewer];

    /// The `snake_case` name.
    #[must_use]
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Collector => "collector",
            Self::Clerk => "clerk",
            Self::Viewer => "viewer",
        }
    }

    /// Parses the `snake_case` name.
    #[must_use]
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name.trim())
    }

    /// Whether the role grants a permission.
    ///
    /// ```
    /// use portico_domain::{Permission, Role};
    /// assert!(Role::Collector.allows(Permission::BulkEmailContacts));
    /// assert!(!Role::Clerk.allows(Permission::BulkEmailContacts));
    /// ```
    #[must_use]
    pub const fn allows(&self, permission: Permission) -> bool {
        use Permission as P;
        match self {
            Self::Admin => true,
            Self::Collector => matches!(
                permission,
                P::SendPortalInvitation | P::BulkEmailContacts | P::ViewPayments | P::ViewCustomers
            ),
            Self::Clerk => matches!(permission, P::SendPortalInvitation | P::ViewCustomers),
            Self::Viewer => matches!(permission, P::ViewCustomers | P::ViewPayments),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_and_permissions_have_stable_snake_case_names() {
        let roles: Vec<&str> = Role::ALL.iter().map(Role::as_str).collect();

        assert_eq!(roles, ["admin", "collector", "clerk", "viewer"]);
        for role in Role::ALL {
            assert_eq!(Role::parse(&format!(" {} ", role.as_str())), Some(role));
        }
        assert_eq!(Role::parse("owner"), None);
        assert_eq!(Permission::SendPortalInvitation.as_str(), "send_portal_invitation");
        assert_eq!(Permission::ManageSettings.as_str(), "manage_settings");
    }
}
