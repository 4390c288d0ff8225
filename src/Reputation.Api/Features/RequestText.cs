using Reputation.Api.Errors;
using Reputation.Core.Text;

namespace Reputation.Api.Features;

/// <summary>
/// Every route and query value must be valid Unicode: a non-character (<c>%EF%BF%BF</c> is
/// U+FFFF) decodes from a URL as any other character would, and would otherwise become a grain
/// key, an audit target or a log value. One check for every endpoint, before its handler; the
/// problem names the parameter. Bodies are checked field by field (<see cref="Fields"/>).
/// </summary>
internal static class RequestText
{
    public static IApplicationBuilder UseValidRequestText(this IApplicationBuilder app) =>
        app.Use((http, next) =>
        {
            ValidationErrors? errors = null;
            foreach (var (name, value) in http.Request.RouteValues)
            {
                if (value is string text && !UnicodeText.IsValid(text))
                {
                    (errors ??= new()).Add(name, UnicodeText.Problem);
                }
            }

            if (http.Request.QueryString.HasValue)
            {
                foreach (var (name, values) in http.Request.Query)
                {
                    if (!UnicodeText.IsValid(name))
                    {
                        (errors ??= new()).Add("query", "parameter names " + UnicodeText.Problem);
                        continue;
                    }

                    foreach (var value in values)
                    {
                        if (!UnicodeText.IsValid(value))
                        {
                            (errors ??= new()).Add(name, UnicodeText.Problem);
                            break;
                        }
                    }
                }
            }

            errors?.ThrowIfAny();
            return next(http);
        });
}
