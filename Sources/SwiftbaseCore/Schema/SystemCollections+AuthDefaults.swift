/// The defaults of the auth options Swiftbase keeps verbatim (`AuthCollectionOptions.extra`): what a new
/// auth collection shows until they are changed. Email templates use PocketBase's placeholders
/// (`{APP_NAME}`, `{APP_URL}`, `{TOKEN}`, `{OTP}`, `{ALERT_INFO}`); their wording is Swiftbase's own.
extension SystemCollections {
    public static func defaultAuthExtra() -> [String: JSONValue] {
        [
            "authAlert": ["enabled": true, "emailTemplate": template(AuthEmail.alertSubject, AuthEmail.alertBody)],
            "oauth2": [
                "enabled": false, "providers": [],
                "mappedFields": ["id": "", "name": "", "username": "", "avatarURL": ""],
            ],
            "mfa": ["enabled": false, "duration": 600, "rule": ""],
            "otp": [
                "enabled": false, "duration": 180, "length": 8,
                "emailTemplate": template(AuthEmail.otpSubject, AuthEmail.otpBody),
            ],
            "passwordResetToken": ["duration": 1800],
            "emailChangeToken": ["duration": 1800],
            "verificationToken": ["duration": 86_400],
            "verificationTemplate": template(AuthEmail.verificationSubject, AuthEmail.verificationBody),
            "resetPasswordTemplate": template(AuthEmail.resetSubject, AuthEmail.resetBody),
            "confirmEmailChangeTemplate": template(AuthEmail.emailChangeSubject, AuthEmail.emailChangeBody),
        ]
    }

    private static func template(_ subject: String, _ body: String) -> JSONValue {
        ["subject": .string(subject), "body": .string(body)]
    }
}

private enum AuthEmail {
    static let signature = "<p>\n  Thanks,<br/>\n  {APP_NAME} team\n</p>"

    static let verificationSubject = "Verify your {APP_NAME} email"
    static let verificationBody = """
        <p>Hello,</p>
        <p>Please confirm your email address by following the link below.</p>
        <p>
          <a class="btn" href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}" target="_blank" rel="noopener">Confirm my email</a>
        </p>
        \(signature)
        """

    static let resetSubject = "Reset your {APP_NAME} password"
    static let resetBody = """
        <p>Hello,</p>
        <p>A password reset was requested for your account. Follow the link below to choose a new password.</p>
        <p>
          <a class="btn" href="{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}" target="_blank" rel="noopener">Choose a new password</a>
        </p>
        <p><i>If you did not ask for this, you can ignore this email.</i></p>
        \(signature)
        """

    static let emailChangeSubject = "Confirm your {APP_NAME} new email address"
    static let emailChangeBody = """
        <p>Hello,</p>
        <p>Follow the link below to confirm your new email address.</p>
        <p>
          <a class="btn" href="{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}" target="_blank" rel="noopener">Confirm my new email</a>
        </p>
        <p><i>If you did not ask for this, you can ignore this email.</i></p>
        \(signature)
        """

    static let otpSubject = "OTP for {APP_NAME}"
    static let otpBody = """
        <p>Hello,</p>
        <p>Your one-time password is: <strong>{OTP}</strong></p>
        <p><i>If you did not ask for it, you can ignore this email.</i></p>
        \(signature)
        """

    static let alertSubject = "Login from a new location"
    static let alertBody = """
        <p>Hello,</p>
        <p>Your {APP_NAME} account was just used to sign in from a new location:</p>
        <p><em>{ALERT_INFO}</em></p>
        <p><strong>If this was not you, change your password right away to revoke access from every other location.</strong></p>
        <p>If this was you, you can ignore this email.</p>
        \(signature)
        """
}
