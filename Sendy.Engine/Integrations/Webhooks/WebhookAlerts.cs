using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Sendy.Engine.Notifications.Email;
using Sendy.Engine.Storage;

namespace Sendy.Engine.Integrations.Webhooks;

/// <summary>
/// Tells the admins that an endpoint was disabled: an e-mail to every admin with an address (when
/// SMTP is on), in the admin's language; the admin page shows it too (Admin → Webhooks). A failed
/// e-mail is logged, never retried in a loop: the page still says it.
/// </summary>
public sealed partial class WebhookAlerts(IDbContextFactory<SendyDbContext> contexts, IEmailSender email, IOptions<SmtpOptions> smtp,
    ILogger<WebhookAlerts> logger)
{
    public async Task EndpointDisabledAsync(Guid endpointId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var endpoint = await (from e in db.WebhookEndpoints
                              join c in db.ApiClients on e.ApiClientId equals c.Id
                              where e.Id == endpointId
                              select new { e.Url, e.DisabledAt, e.DisabledReason, Client = c.Name }).FirstOrDefaultAsync(cancellationToken);
        if (endpoint is null || !smtp.Value.Enabled) return;
        var admins = await (from u in db.Users
                            join ur in db.UserRoles on u.Id equals ur.UserId
                            join r in db.Roles on ur.RoleId equals r.Id
                            where r.Name == StaffRoles.Admin && u.Email != null
                            select new { u.Email, u.DisplayName, u.Locale }).ToListAsync(cancellationToken);
        foreach (var admin in admins)
        {
            var ko = admin.Locale != "en";
            var subject = ko ? $"[Sendy] 웹훅 엔드포인트가 비활성화되었습니다: {endpoint.Client}" : $"[Sendy] Webhook endpoint disabled: {endpoint.Client}";
            var text = ko
                ? $"{endpoint.Client}의 웹훅 엔드포인트 {endpoint.Url} 이(가) 계속 실패하여 비활성화되었습니다. {endpoint.DisabledReason}.\n꺼져 있는 동안의 이벤트는 보관되지 않습니다. 관리 → 웹훅에서 시도 기록을 보고 다시 켤 수 있습니다."
                : $"{endpoint.Client}'s webhook endpoint {endpoint.Url} kept failing and was disabled. {endpoint.DisabledReason}.\nEvents are not kept for it while it is off. Admin → Webhooks shows its attempts and can enable it again.";
            var html = "<p>" + WebUtility.HtmlEncode(text).Replace("\n", "</p><p>", StringComparison.Ordinal) + "</p>";
            try
            {
                await email.SendAsync(new EmailMessage(admin.Email!, admin.DisplayName, subject, html, text,
                    $"webhook-disabled:{endpointId:N}:{endpoint.DisabledAt?.ToUnixTimeSeconds()}:{admin.Email}"), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogMailFailed(endpointId, ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telling an admin by e-mail that webhook endpoint {EndpointId} was disabled failed (the admin page shows it)")]
    private partial void LogMailFailed(Guid endpointId, Exception exception);
}
