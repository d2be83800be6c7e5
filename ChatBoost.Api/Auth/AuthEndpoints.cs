using ChatBoost.Api.Http;
using ChatBoost.Configuration;
using ChatBoost.Grains.Interfaces.Auth;
using Microsoft.Extensions.Options;

namespace ChatBoost.Api.Auth;

/// <summary>The seed's Auth module: register, token, me, users; and e-mail verification.</summary>
public static class AuthEndpoints
{
    private const string WrongCredentials = "Incorrect email or password.";

    public static RouteGroupBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth").WithModuleTag("Authentication", "Registration, e-mail verification, access tokens (POST /auth/token, then 'Authorization: Bearer <access_token>') and the signed-in user.");

        group.MapPost("/register", RegisterAsync)
            .AllowAnonymous()
            .RequireRateLimiting(AuthRateLimits.Registration)
            .WithName("Auth_Register")
            .WithSummary("Register a new user")
            .WithDescription("Creates the user and a personal organization owned by them, and mails a verification token to the address. The answer is the same whether or not the address already has an account (the mail says which); sign in with POST /auth/token. E-mail addresses are unique, case-insensitively. Limited per client and overall (429 with Retry-After); 503 with Retry-After when too many registrations are waiting.")
            .Produces<RegistrationAcceptedResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/verify-email", VerifyEmailAsync)
            .AllowAnonymous()
            .RequireRateLimiting(AuthRateLimits.Login)
            .WithName("Auth_VerifyEmail")
            .WithSummary("Verify an e-mail address")
            .WithDescription("Uses the token mailed at registration (once, before it expires). Platform administration and accepting invitations need a verified address. Unknown, used or expired token: 404.")
            .Produces<EmailVerifiedResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapPost("/token", TokenAsync)
            .AllowAnonymous()
            .RequireRateLimiting(AuthRateLimits.Login)
            .WithName("Auth_Token")
            .WithSummary("Log in and get an access token")
            .WithDescription("Accepts the OAuth2 password form (username, password as application/x-www-form-urlencoded) or the same fields as JSON. The username is the e-mail address. A wrong password, an unknown address and a deactivated account get the same 401. Failed attempts are limited per (account, client), per account and per client (429 with Retry-After).")
            .Accepts<TokenRequest>("application/json", "application/x-www-form-urlencoded")
            .Produces<TokenResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/me", (HttpContext context) => TypedResults.Ok(UserResponse.From(CurrentUser.Get(context))))
            .RequireAuthorization()
            .WithName("Auth_GetMe")
            .Produces<UserResponse>()
            .WithSummary("Get the current user");

        group.MapGet("/users", ListUsersAsync)
            .RequireAuthorization()
            .WithName("Auth_ListUsers")
            .WithPaging()
            .WithSummary("List users")
            .WithDescription("Users who share an organization with the caller (platform administrators see everyone), ordered by id, paged with limit (1–200, default 50) and offset. The total is in the X-Total-Count header.")
            .Produces<UserResponse[]>()
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity);

        return group;
    }

    private static async Task<IResult> RegisterAsync(
        Body<RegisterRequest> body,
        HttpContext context,
        PasswordHasher hasher,
        AccountMailer mailer,
        TimeProvider time,
        IClusterClient cluster,
        IOptions<AuthOptions> options,
        CancellationToken cancellationToken)
    {
        var request = body.Value;
        var email = request.Email!.Trim();
        string hash;
        try
        {
            hash = await hasher.HashAsync(request.Password!, cancellationToken);
        }
        catch (BcryptBusyException)
        {
            return Problems.ServiceUnavailable(context, "Too many registrations are waiting. Retry shortly.");
        }

        var token = VerificationTokens.New();
        var expiresAt = time.GetUtcNow().AddHours(options.Value.EmailVerificationExpireHours);
        var result = await cluster.GetGrain<IUserRegistryGrain>(0).RegisterAsync(new RegisterUserCommand(
            email, string.IsNullOrWhiteSpace(request.FullName) ? null : request.FullName.Trim(), hash, VerificationTokens.Hash(token), expiresAt));
        if (result.User is not null)
        {
            await mailer.SendRegistrationMailAsync(
                email, result.Outcome == RegistrationOutcome.EmailTaken, result.VerificationIssued ? token : null, expiresAt, cancellationToken);
        }

        // The same answer whether or not the address had an account: only its mailbox learns which.
        return TypedResults.Json(new RegistrationAcceptedResponse(email, RegistrationAcceptedResponse.Text), statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> VerifyEmailAsync(Body<VerifyEmailRequest> body, IClusterClient cluster)
    {
        var token = body.Value.Token!;
        var user = VerificationTokens.LooksLikeToken(token)
            ? await cluster.GetGrain<IUserRegistryGrain>(0).VerifyEmailAsync(VerificationTokens.Hash(token))
            : null;
        return user is null
            ? TypedResults.Problem("Unknown, used or expired verification token.", statusCode: StatusCodes.Status404NotFound, title: "Not found.")
            : TypedResults.Ok(new EmailVerifiedResponse(user.Email, user.EmailVerified));
    }

    private static async Task<IResult> TokenAsync(
        HttpContext context,
        PasswordHasher hasher,
        TokenService tokens,
        LoginThrottle throttle,
        IClusterClient cluster,
        CancellationToken cancellationToken)
    {
        var (request, problem) = await ReadTokenRequestAsync(context);
        if (problem is not null)
        {
            return problem;
        }

        var email = EmailAddress.Normalize(request!.Login!);
        var permit = await throttle.ReserveAsync(email, ClientAddress.Of(context));
        if (permit.RetryAfter is { } wait)
        {
            return Problems.TooManyRequests(wait, context);
        }

        var login = await cluster.GetGrain<IUserRegistryGrain>(0).FindLoginAsync(email);
        bool matches;
        try
        {
            matches = await hasher.VerifyAsync(request.Password!, login?.PasswordHash, cancellationToken);
        }
        catch (BcryptBusyException)
        {
            await permit.WithdrawAsync();
            return Problems.ServiceUnavailable(context, "Too many logins are waiting. Retry shortly.");
        }

        // A deactivated account with the right password answers exactly like a wrong password, and its
        // attempt stays counted: neither the answer nor the throttle tells that the password was right.
        if (!matches || !login!.IsActive)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Unauthorized(WrongCredentials);
        }

        await permit.SucceededAsync();
        return TypedResults.Ok(new TokenResponse(tokens.Issue(login.UserId), "bearer", (int)tokens.Lifetime.TotalSeconds));
    }

    private static async Task<(TokenRequest? Request, IResult? Problem)> ReadTokenRequestAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return await JsonBodyReader.ReadAsync<TokenRequest>(context);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var request = new TokenRequest
        {
            Username = form["username"].FirstOrDefault(),
            Password = form["password"].FirstOrDefault(),
            GrantType = form["grant_type"].FirstOrDefault() is { Length: > 0 } grant ? grant : null,
        };
        var errors = new ValidationErrors();
        request.Validate(errors);
        return errors.Any ? (null, errors.ToResult()) : (request, null);
    }

    private static async Task<IResult> ListUsersAsync(HttpContext context, IClusterClient cluster, IOptions<AuthOptions> options)
    {
        if (!Paging.TryParse(context.Request, out var paging, out var problem))
        {
            return problem!;
        }

        var caller = CurrentUser.Get(context);
        var directory = cluster.GetGrain<IUserRegistryGrain>(0);
        var page = Organizations.PlatformAdmins.IsAdmin(options.Value, caller)
            ? await directory.ListAllAsync(paging.Limit, paging.Offset)
            : await directory.ListVisibleToAsync(caller.Id, paging.Limit, paging.Offset);
        context.Response.Headers["X-Total-Count"] = page.Total.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok(page.Items.Select(UserResponse.From).ToArray());
    }
}
