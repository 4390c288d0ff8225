using System.Text.Json;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;

namespace Reputation.Browser.Tests;

/// <summary>
/// The investigation console (/console) as an investigator uses it: its ids and form fields, and the
/// Cytoscape instance the page exposes as <c>window.consoleGraph</c> for the graph's nodes.
/// </summary>
internal sealed class ConsolePage(IWebDriver driver, Uri baseAddress, string testName) : BrowserPage(driver, testName)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public sealed record Node(string Id, string EntityId, string Type, double? Score, string Band, string Labels, string? Listed, string? Parent, string Colour, string Shape);

    public void Open()
    {
        Driver.Navigate().GoToUrl(new Uri(baseAddress, "/console"));
        Until("the console to ask for a key", d => Displayed(d, By.Id("key")));
    }

    public void EnterKey(string apiKey, string expectedStatus)
    {
        var input = Until("the API key field", d => Displayed(d, By.Id("key")));
        input.SendKeys(apiKey);
        Click("Use key", By.CssSelector("#key-form button[type=submit]"));
        WaitForText("the key status", "#key-status", expectedStatus);
    }

    public void Search(string kind, string id)
    {
        Click($"the search kind {kind}", By.CssSelector($"#search-kind option[value='{kind}']"));
        var query = Until("the search field", d => Displayed(d, By.Id("search-query")));
        query.Clear();
        query.SendKeys(id);
        query.SendKeys(Keys.Enter);
    }

    /// <summary>Waits for the details pane to show <paramref name="title"/> (for example <c>account h-1</c>).</summary>
    public string WaitForDetails(string title) => WaitForText("the details pane's title", "#entity-title", title);

    public string DetailsText() => Until("the details pane", d => Displayed(d, By.Id("entity-view")))!.Text;

    public string WaitForDetailsText(string expected) => WaitForText("the details pane", "#entity-view", expected);

    /// <summary>The drawn graph's nodes, once it holds <paramref name="atLeast"/> and its layout has run.</summary>
    public IReadOnlyList<Node> GraphNodes(int atLeast, Func<IReadOnlyList<Node>, bool>? until = null)
    {
        List<Node> nodes = [];
        return Until($"the graph to hold at least {atLeast} nodes", _ =>
        {
            nodes = ReadNodes();
            return nodes.Count >= atLeast && (until is null || until(nodes)) ? nodes : null;
        }, () => $"it holds {nodes.Count}: {string.Join(", ", nodes.Select(n => $"{n.Type} {n.EntityId}"))}");
    }

    private List<Node> ReadNodes()
    {
        var json = (string?)((IJavaScriptExecutor)Driver).ExecuteScript("""
            const cy = window.consoleGraph;
            if (!cy) return '[]';
            return JSON.stringify(cy.nodes().map(n => ({
              id: n.id(), entityId: n.data('entityId'), type: n.data('type'), score: n.data('score') ?? null,
              band: n.data('band'), labels: n.data('labels') ?? '', listed: n.data('listed') ?? null, parent: n.data('parent') ?? null,
              colour: n.style('background-color'), shape: n.style('shape') })));
            """);
        return JsonSerializer.Deserialize<List<Node>>(json ?? "[]", s_json)!;
    }

    /// <summary>Clicks a node where the graph draws it, as an investigator does with the mouse.</summary>
    public void ClickNodeInGraph(string nodeId)
    {
        var container = Until("the graph", d => Displayed(d, By.Id("graph")))!;
        var position = (IReadOnlyDictionary<string, object>)((IJavaScriptExecutor)Driver).ExecuteScript(
            "const p = window.consoleGraph.getElementById(arguments[0]).renderedPosition(); return { x: p.x, y: p.y };", nodeId)!;
        // Selenium offsets from the element's centre.
        var x = (int)Math.Round(Convert.ToDouble(position["x"], System.Globalization.CultureInfo.InvariantCulture) - (container.Size.Width / 2.0));
        var y = (int)Math.Round(Convert.ToDouble(position["y"], System.Globalization.CultureInfo.InvariantCulture) - (container.Size.Height / 2.0));
        new Actions(Driver).MoveToElement(container, x, y).Click().Perform();
    }

    /// <summary>Chooses a node from the list under the graph (the keyboard's way to the same view).</summary>
    public void ChooseNodeInList(string nodeId) => Click($"the list entry of {nodeId}", By.CssSelector($"#graph-nodes button[data-node='{nodeId}']"));

    /// <summary>Opens an item of the review queue, by the id its button names.</summary>
    public void OpenFromReview(string id) =>
        Click($"the review queue's entry {id}", By.XPath($"//div[@id='review']//button[contains(., '{id}')]"));

    /// <summary>Cuts the page off from its vendored libraries (as a build that never ran the script), from the next load on.</summary>
    public void BlockVendoredLibraries()
    {
        var chrome = (OpenQA.Selenium.Chromium.ChromiumDriver)Driver;
        chrome.ExecuteCdpCommand("Network.enable", []);
        chrome.ExecuteCdpCommand("Network.setBlockedURLs", new Dictionary<string, object?> { ["urls"] = new[] { "*/console/vendor/*" } });
    }

    /// <summary>Runs a backtest of <paramref name="candidate"/> (a whole policy as JSON) from the backtest panel.</summary>
    public void Backtest(string candidate)
    {
        var body = Until("the backtest's candidate field", d => Displayed(d, By.Id("backtest-body")))!;
        // The policy is long: set it as a paste would, not key by key.
        ((IJavaScriptExecutor)Driver).ExecuteScript("arguments[0].value = arguments[1];", body, candidate);
        Click("Run the backtest", By.CssSelector("#backtest-form button[type=submit]"));
    }

    /// <summary>Scrolls the backtest's answer into view (for the screenshot).</summary>
    public void ShowBacktestResult() =>
        ((IJavaScriptExecutor)Driver).ExecuteScript("document.getElementById('backtest-result').scrollIntoView();");

    /// <summary>The captions of the backtest's charts that uPlot drew (a canvas in the figure).</summary>
    public IReadOnlyList<string> BacktestCharts(int atLeast) =>
        Until($"{atLeast} drawn backtest charts", d =>
        {
            var drawn = d.FindElements(By.CssSelector("#backtest-result figure.chart"))
                .Where(f => f.FindElements(By.CssSelector("canvas")).Count > 0)
                .Select(f => f.FindElement(By.CssSelector("figcaption")).Text).ToArray();
            return drawn.Length >= atLeast ? drawn : null;
        })!;

    public void Label(string label, string reason)
    {
        Click($"the label {label}", By.CssSelector($"#label-kind option[value='{label}']"));
        var field = Until("the label's reason", d => Displayed(d, By.Id("label-reason")))!;
        field.SendKeys(reason);
        Click("Apply label", By.CssSelector("#label-form button[type=submit]"));
    }

    public void AddToList(string list, string reason)
    {
        Click($"the list {list}", By.CssSelector($"#list-kind option[value='{list}']"));
        Until("the list's reason", d => Displayed(d, By.Id("list-reason")))!.SendKeys(reason);
        Click("Add to the list", By.CssSelector("#list-form button[type=submit]"));
    }

    public void Release(string reason)
    {
        Until("the release's reason", d => Displayed(d, By.Id("release-reason")))!.SendKeys(reason);
        Click("Release the hold", By.CssSelector("#release-form button[type=submit]"));
    }

    /// <summary>The text of a node's entry in the list under the graph.</summary>
    public string NodeListEntry(string nodeId) =>
        Until($"the list entry of {nodeId}", d => Displayed(d, By.CssSelector($"#graph-nodes button[data-node='{nodeId}']")))!.Text;

    public string WaitForActionStatus(string expected) => WaitForText("the action's status", "#action-status", expected);

    public string WaitForStatus(string id, string expected) => WaitForText($"#{id}", $"#{id}", expected);

    /// <summary>The buttons of the actions section, if any is shown.</summary>
    public IReadOnlyList<string> ActionButtons() =>
        Driver.FindElements(By.CssSelector("#entity-view .actions button")).Where(b => b.Displayed).Select(b => b.Text).ToArray();

    /// <summary>
    /// Messages the browser logged at SEVERE level: script errors, files that did not load, loads the
    /// Content-Security-Policy refused. API answers other than 2xx (a 403 to a read-only key) are
    /// the page's to show, in its own status lines, and are not counted.
    /// </summary>
    public IReadOnlyList<string> Errors() =>
        Driver.Manage().Logs.GetLog(LogType.Browser).Where(e => e.Level >= LogLevel.Severe)
            .Select(e => e.Message).Where(m => !m.StartsWith(new Uri(baseAddress, "/v1/").ToString(), StringComparison.Ordinal)).ToArray();
}
