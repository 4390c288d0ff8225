using OpenQA.Selenium;
using OpenQA.Selenium.Support.UI;

namespace Reputation.Browser.Tests;

/// <summary>
/// What every page driver here shares: bounded waits on conditions that save a screenshot and the
/// page source when they time out and fail naming them, screenshots of the main steps, and lookups
/// of displayed elements.
/// </summary>
internal abstract class BrowserPage(IWebDriver driver, string testName)
{
    // Two noisy cores on CI: a first render or a cold grain call can take seconds.
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);

    protected IWebDriver Driver { get; } = driver;

    protected string WaitForText(string what, string css, string expected)
    {
        var seen = "";
        return Until($"{what} to contain {expected}", d =>
        {
            seen = Text(d, css) ?? "(not shown)";
            return seen.Contains(expected, StringComparison.Ordinal) ? seen : null;
        }, () => $"the page shows: {seen}");
    }

    protected void Click(string what, By by) =>
        Until($"{what} to be clickable", d =>
        {
            if (Displayed(d, by) is not { Enabled: true } element)
            {
                return false;
            }

            element.Click();
            return true;
        });

    protected T Until<T>(string what, Func<IWebDriver, T?> condition, Func<string>? seen = null)
    {
        var wait = new WebDriverWait(Driver, s_timeout) { PollingInterval = TimeSpan.FromMilliseconds(100) };
        // Pages re-render: an element found a moment ago can be replaced, or covered for a frame by
        // an animation; the next poll finds it again.
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException),
            typeof(ElementClickInterceptedException), typeof(ElementNotInteractableException));
        try
        {
            return wait.Until(d => condition(d))!;
        }
        catch (WebDriverTimeoutException)
        {
            var saved = SaveEvidence();
            Assert.Fail($"Waited {s_timeout.TotalSeconds:0} s for {what}{(seen is null ? "" : $"; {seen()}")}. Screenshot and page source: {saved}");
            throw;
        }
    }

    /// <summary>Saves a screenshot of the page as it is now into the test output folder; returns its path.</summary>
    public string Screenshot(string name)
    {
        var directory = Path.Combine(Artifacts.Directory, "browser");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"{testName}-{name}.png");
        ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(path);
        return path;
    }

    private string SaveEvidence()
    {
        var directory = Path.Combine(Artifacts.Directory, "browser");
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{testName}-{DateTime.UtcNow:yyyyMMddTHHmmssfff}");
        try
        {
            ((ITakesScreenshot)Driver).GetScreenshot().SaveAsFile(stem + ".png");
            File.WriteAllText(stem + ".html", Driver.PageSource);
        }
        catch (WebDriverException ex)
        {
            File.WriteAllText(stem + ".txt", $"the browser could not give a screenshot or page source: {ex.Message}");
        }

        return stem + ".{png,html}";
    }

    protected static IWebElement? Displayed(ISearchContext context, By by) =>
        context.FindElements(by).FirstOrDefault(e => e.Displayed);

    protected static string? Text(ISearchContext context, string css) =>
        context.FindElements(By.CssSelector(css)).Select(e => e.Text).FirstOrDefault(t => t.Length > 0);
}
