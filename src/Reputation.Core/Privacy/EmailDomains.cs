namespace Reputation.Core.Privacy;

/// <summary>What kind of mail domain an address is at; the domain itself is kept only as a keyed hash.</summary>
public enum EmailDomainKind
{
    /// <summary>No address, or none given.</summary>
    Unknown,
    /// <summary>Neither free-mail nor disposable: usually a company's or a school's own domain.</summary>
    Other,
    /// <summary>A public free-mail provider anyone can sign up at.</summary>
    FreeMail,
    /// <summary>A throwaway-address service.</summary>
    Disposable,
}

/// <summary>
/// Classifies a mail domain. The lists are short on purpose: the largest free-mail providers and the
/// best-known throwaway services. A domain not listed is <see cref="EmailDomainKind.Other"/>; nothing
/// is trusted for that alone (docs/detection.md, "Trust seeds"): a work domain only counts together
/// with a verified organisation.
/// </summary>
public static class EmailDomains
{
    private static readonly HashSet<string> s_freeMail = new(StringComparer.Ordinal)
    {
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "yahoo.com",
        "yahoo.co.uk", "yahoo.co.jp", "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com",
        "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
        "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "sina.com", "naver.com",
        "zoho.com", "tutanota.com", "tuta.io", "fastmail.com", "hey.com", "orange.fr", "free.fr",
        "laposte.net", "libero.it", "t-online.de", "rediffmail.com", "seznam.cz", "wp.pl", "o2.pl",
    };

    private static readonly HashSet<string> s_disposable = new(StringComparer.Ordinal)
    {
        "mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com", "10minutemail.com",
        "temp-mail.org", "tempmail.com", "yopmail.com", "trashmail.com", "getnada.com", "dispostable.com",
        "maildrop.cc", "throwawaymail.com", "fakeinbox.com", "mailnesia.com", "mintemail.com",
        "emailondeck.com", "mohmal.com", "tempail.com", "burnermail.io", "spamgourmet.com",
    };

    /// <summary>The domain of a normalised address (<see cref="EmailHasher.Normalise"/>), or null.</summary>
    public static string? DomainOf(string? email)
    {
        var normalised = EmailHasher.Normalise(email);
        return normalised is null ? null : normalised[(normalised.LastIndexOf('@') + 1)..];
    }

    public static EmailDomainKind Classify(string? domain) =>
        string.IsNullOrEmpty(domain) ? EmailDomainKind.Unknown
        : s_disposable.Contains(domain) ? EmailDomainKind.Disposable
        : s_freeMail.Contains(domain) ? EmailDomainKind.FreeMail
        : EmailDomainKind.Other;
}
