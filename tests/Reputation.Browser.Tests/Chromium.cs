using OpenQA.Selenium.Chrome;

namespace Reputation.Browser.Tests;

/// <summary>
/// Headless Chromium through the chromedriver of the same Debian packages (chromium,
/// chromium-driver; ./test.sh installs them). Both paths are given explicitly, so Selenium Manager
/// never runs and nothing is downloaded (docs/decisions/0009-browser-tests.md).
/// </summary>
internal static class Chromium
{
    public const string BrowserVariable = "REPUTATION_CHROMIUM";
    public const string DriverVariable = "REPUTATION_CHROMEDRIVER";

    public static ChromeDriver Start()
    {
        var browser = Find(BrowserVariable, "chromium", "/usr/bin/chromium");
        var driver = Find(DriverVariable, "chromedriver", "/usr/bin/chromedriver");

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        // Root in a container: no sandbox; a small /dev/shm: use /tmp; no GPU.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
            "--window-size=1400,1800", "--no-first-run", "--no-default-browser-check", "--disable-extensions");
        // The console tests read the page's own errors (a script that failed, a load the CSP refused).
        options.SetLoggingPreference(OpenQA.Selenium.LogType.Browser, OpenQA.Selenium.LogLevel.All);
        // Generous: the first start of Chromium on two busy cores can take many seconds.
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(90));
    }

    private static string Find(string variable, string name, string usual)
    {
        if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } configured)
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{variable} is {configured}, which does not exist.");
        }

        if (File.Exists(usual))
        {
            return usual;
        }

        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        return onPath ?? throw new InvalidOperationException(
            $"{name} was not found ({usual}, PATH, or {variable}): the browser tests need Chromium and its chromedriver. " +
            "./test.sh installs them on Debian (apt-get install --no-install-recommends chromium chromium-driver).");
    }
}
