namespace Reputation.Simulator.Generation;

/// <summary>
/// A popular coding agent's requests: its fixed system prompt (one text per released version) followed by
/// the session's environment block and what the user typed. Coding agents resend their system prompt
/// and tool instructions with every call (thousands of tokens), so that fixed text outweighs the user's
/// few words and every user of one version sends near-identical prompts. The texts are written for the
/// simulator in the style such prompts have; they are not any product's prompt.
/// </summary>
internal static class ToolPrompts
{
    public const int Versions = 3;

    /// <summary>Input tokens of the fixed part (system prompt plus tool definitions) that each request carries.</summary>
    public const int FixedInputTokens = 9000;

    private const string Core = """
        You are a coding assistant that runs in the user's terminal and helps with software engineering tasks in the user's repository.
        Follow the instructions below and use the available tools to read files, search the code, run commands and make changes.
        Keep your answers short and direct. Do not add an introduction or a summary unless the user asks for one.
        Before you change code, read the relevant files and understand the conventions the project already uses.
        Never guess at a library that the project does not already depend on; check the package files first.
        When you run a command that changes the system or deletes files, explain briefly what it does and why.
        Prefer editing existing files to creating new ones, and never create documentation files unless you are asked to.
        After a change, run the project's tests or type checker if you know the command, and fix what you broke.
        Do not commit changes unless the user asks you to commit. Never push to a remote without being asked.
        If a request is ambiguous, ask one short question instead of making large assumptions.
        Refuse to write code that is clearly meant to harm systems or people.
        """;

    // Agents send each tool's description and parameters with every call too; these are shorter than real ones.
    private const string Tools = """
        The following tools are available. Call independent tools in parallel when you can, and never call a tool you do not need.
        Read: reads a file from the local file system and returns its contents with line numbers. The path must be absolute.
        By default it reads up to two thousand lines from the start of the file; give an offset and a limit for longer files.
        Lines longer than two thousand characters are cut. Read a file before you edit it, so you know its current contents.
        Edit: replaces an exact string in a file with a new string. The old string must be unique in the file unless you ask
        to replace every occurrence. Keep the indentation exactly as it is in the file. Prefer small, targeted edits.
        Write: writes a whole file, replacing any file at that path. Use it only for new files or complete rewrites, and read
        an existing file first. Do not write files the user did not ask for, such as notes, plans or summaries.
        Glob: finds files whose paths match a pattern, sorted by the time they were last changed. Use it to locate files by name.
        Grep: searches the contents of files with a regular expression and returns the matching lines or the names of the files
        that match. Use it instead of running search commands in the shell. Narrow the search with a path or a file type.
        Bash: runs a shell command in a persistent session with an optional timeout, and returns what it printed. Quote paths
        that contain spaces. Do not use it to read, search or edit files when a dedicated tool can do it. Avoid interactive
        commands, and never run commands that need a password. Explain a command that changes the system before you run it.
        Todo: keeps a short list of tasks for work with several steps, each pending, in progress or done. Keep exactly one task
        in progress at a time and mark a task done as soon as it is finished, not in a batch at the end.
        Fetch: retrieves the content of a web page and returns it as text, for documentation the user points you to.
        """;

    private const string V2 = """
        Use the task list for any task with three or more steps and mark each item done as soon as it is done.
        When you reference code, give the file path and the line number so the user can open it.
        """;

    private const string V3 = """
        You may start sub-agents for broad searches across a large repository; give each a clear, self-contained task.
        Respect the instruction files in the repository and in the user's home directory; they override these defaults.
        Use the plan mode for changes that touch many files, and wait for the user to approve the plan.
        """;

    private static readonly string[] _systemPrompts =
    [
        Core + Tools,
        Core + Tools + V2,
        Core + Tools + V2 + V3,
    ];

    private static readonly string[] _asks =
    [
        "fix the failing test in {file}", "why does {command} fail with {error}?", "add {feature} to {file}",
        "refactor {function} in {file} so it is easier to test", "write unit tests for {function}", "explain what {file} does",
        "rename {function} to something clearer and update the callers", "the build breaks after I upgraded {package}, can you look",
        "add input validation to {function}", "make {function} handle an empty list", "find where {function} is called and remove the dead ones",
        "{command} is slow, profile it and suggest a fix", "add logging around {function}", "port {function} to async",
        "update the readme for the new {feature}", "review my last change to {file}", "add a migration for {feature}",
        "resolve the merge conflict in {file}", "why is {function} returning null here", "set up a lint step in CI",
    ];

    private static readonly Dictionary<string, IReadOnlyList<string>> _slots = new(StringComparer.Ordinal)
    {
        ["file"] =
        [
            "src/api/users.ts", "app/models/order.rb", "cmd/server/main.go", "lib/parser.py", "src/components/Cart.tsx", "internal/auth/token.go",
            "services/billing.py", "src/main.rs", "web/views.py", "pkg/cache/lru.go", "src/utils/date.ts", "Controllers/AccountController.cs",
            "scripts/deploy.sh", "src/store/session.js", "api/handlers.py", "core/scheduler.kt",
        ],
        ["command"] = ["npm test", "go build ./...", "pytest", "cargo build", "make lint", "dotnet test", "docker compose up", "yarn build"],
        ["error"] =
        [
            "a type error", "an import error", "exit code 137", "a timeout", "a segfault", "a missing module", "an undefined symbol",
            "a permission error", "a port already in use",
        ],
        ["feature"] = ["pagination", "rate limiting", "dark mode", "CSV export", "retries", "caching", "a health check", "search", "audit logging"],
        ["function"] =
        [
            "parseDate", "load_config", "HandleLogin", "computeTotal", "send_invoice", "mergeRanges", "validate_email", "renderList", "retry_request",
            "buildQuery", "normalizePath", "refresh_token",
        ],
        ["package"] = ["react", "django", "the AWS SDK", "tokio", "webpack", "pydantic", "Spring Boot", "Next.js"],
    };

    private static readonly string[] _projects =
    [
        "shop", "api", "website", "tools", "backend", "mobile", "infra", "analytics", "blog", "crm", "game", "notes", "bot", "dashboard",
    ];

    private static readonly string[] _platforms = ["linux", "darwin", "win32"];

    /// <summary>The version's fixed text, as every request of that version starts.</summary>
    public static string SystemPrompt(int version)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(version);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(version, Versions);
        return _systemPrompts[version];
    }

    /// <summary>One request of a user on <paramref name="version"/>: the fixed text, the session's environment, the user's words.</summary>
    public static string Next(int version, SimRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var environment = $"Working directory: /home/dev/{random.Pick(_projects)}. Git repository: yes. Platform: {random.Pick(_platforms)}.";
        var ask = PromptTemplate.Fill(random.Pick(_asks), _slots, random);
        return $"{SystemPrompt(version)}\n{environment}\n\n{ask}";
    }
}
