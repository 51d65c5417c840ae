// Package report turns the store's team rows into the anonymous team
// report that rules owners read (`leadnudge report`, the App Home's team
// overview for admins): per rule and category, nudges sent, the feedback
// on them and the snoozes and stops that followed; per week, nudges sent
// and the share rated helpful; the weekly reflection's enrolment, prompts,
// answers, skips and pauses.
//
// It is k-anonymous: every figure that counts people or their actions is
// published only when at least MinPeople distinct people stand behind it,
// and a figure held back cannot be recovered by subtracting the published
// ones from a total (see Build). No person's identity, message, answer or
// own count ever leaves this package.
package report
