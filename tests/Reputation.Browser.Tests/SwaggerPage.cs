using System.Globalization;
using OpenQA.Selenium;

namespace Reputation.Browser.Tests;

/// <summary>
/// Swagger UI as an operator uses it, through its own stable markup (ids <c>operations-{tag}-{operationId}</c>,
/// <c>button.authorize</c>, <c>.auth-container</c>, <c>tr[data-param-name]</c>, <c>.btn.execute</c>,
/// <c>.live-responses-table</c>). Every step waits for what the operator would wait for, bounded; on a
/// timeout it saves a screenshot and the page source and fails naming them.
/// </summary>
internal sealed class SwaggerPage(IWebDriver driver, Uri baseAddress, string testName) : BrowserPage(driver, testName)
{
    public void Open()
    {
        Driver.Navigate().GoToUrl(new Uri(baseAddress, "/swagger"));
        Until("Swagger UI to render the operations", d => d.FindElements(By.CssSelector(".opblock-summary-path")).Count > 0);
    }

    /// <summary>The operation ids listed under <paramref name="tag"/>, as the page shows them.</summary>
    public IReadOnlyList<string> Operations(string tag) =>
        Until($"the {tag} operations", d =>
        {
            var prefix = $"operations-{tag}-";
            var ids = d.FindElements(By.CssSelector($"[id^='{prefix}']")).Select(e => e.GetAttribute("id")![prefix.Length..]).ToArray();
            return ids.Length > 0 ? ids : null;
        });

    public void Authorize(string apiKey)
    {
        Click("the Authorize button", By.CssSelector(".auth-wrapper button.authorize"));
        var input = Until("the API key field of the Authorize dialog", d => Displayed(d, By.CssSelector(".auth-container input")));
        input.SendKeys(apiKey);
        Click("Authorize in the dialog", By.CssSelector(".auth-container .auth-btn-wrapper button.authorize"));
        // Authorized: the dialog says so and offers Logout instead of the key field.
        WaitForText("the Authorize dialog", ".auth-container h6", "Authorized");
        Until("the Logout button of the dialog", d => Displayed(d, By.CssSelector(".auth-container button[aria-label='Remove authorization']")));
        Click("Close in the dialog", By.CssSelector(".auth-container .auth-btn-wrapper button.btn-done"));
        Until("the Authorize dialog to close", d => d.FindElements(By.CssSelector(".dialog-ux .modal-ux")).Count == 0);
        Until("the Authorize button to show a closed lock", d => Displayed(d, By.CssSelector(".auth-wrapper button.authorize.locked")));
    }

    /// <summary>Expands an operation; Try it out is on by default, so its fields and Execute are there.</summary>
    public Operation Expand(string tag, string operationId)
    {
        var block = $"#operations-{tag}-{operationId}";
        Click($"the summary of {operationId}", By.CssSelector($"{block} .opblock-summary"));
        Until($"the Execute button of {operationId} (Try it out enabled by default)", d => Displayed(d, By.CssSelector($"{block} .btn.execute")));
        return new Operation(this, block, operationId);
    }

    internal sealed class Operation(SwaggerPage page, string block, string operationId)
    {
        public void Parameter(string name, string value)
        {
            var input = page.Until($"the {name} field of {operationId}",
                d => Displayed(d, By.CssSelector($"{block} tr[data-param-name='{name}'] input")));
            input.Clear();
            input.SendKeys(value);
        }

        /// <summary>Replaces the request body, as an operator pastes one over the example.</summary>
        public void Body(string json)
        {
            var body = page.Until($"the request body of {operationId}", d => Displayed(d, By.CssSelector($"{block} textarea.body-param__text")));
            // A paste is one input event; typing 2 KB key by key re-renders Swagger UI's React form per key
            // and takes minutes. The native setter plus an input event is what React sees for a paste.
            ((IJavaScriptExecutor)page.Driver).ExecuteScript(
                "const [area, text] = arguments;" +
                "Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(area, text);" +
                "area.dispatchEvent(new Event('input', { bubbles: true }));", body, json);
            page.Until($"the request body of {operationId} to hold the pasted policy", _ => body.GetAttribute("value") == json);
        }

        public void Execute() => page.Click($"Execute of {operationId}", By.CssSelector($"{block} .btn.execute"));

        /// <summary>Waits for the live response (not the documented ones) to show <paramref name="status"/>.</summary>
        public void WaitForStatus(int status)
        {
            var expected = status.ToString(CultureInfo.InvariantCulture);
            var seen = "";
            page.Until($"{operationId} to show the response status {expected}", d =>
            {
                seen = Text(d, $"{block} .live-responses-table .response .response-col_status") ?? "(no response yet)";
                return seen.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() == expected;
            }, () => $"the page shows {seen}");
        }

        /// <summary>The rendered response body, once it contains <paramref name="expected"/>.</summary>
        public string WaitForBody(string expected) => page.WaitForText($"the response body of {operationId}",
            $"{block} .live-responses-table .response-col_description .highlight-code pre", expected);

        /// <summary>Waits for the rendered response headers to list <paramref name="expected"/> (lowercase name: value), as one line.</summary>
        public void WaitForHeader(string expected)
        {
            var seen = "";
            page.Until($"the response headers of {operationId} to list {expected}", d =>
            {
                var lines = d.FindElements(By.CssSelector($"{block} .live-responses-table .headerline")).Select(e => e.Text.Trim()).ToArray();
                seen = lines.Length == 0 ? "(no headers shown)" : string.Join(" | ", lines);
                return lines.Contains(expected, StringComparer.Ordinal);
            }, () => $"the page shows: {seen}");
        }
    }
}
