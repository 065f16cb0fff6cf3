// Demo content: a Vietnamese civic online quiz (English alongside) with a real question bank,
// two weekly rounds, units and groups, and one account per role. Loaded once, on an empty
// database, by `npm start`; idempotent.
import { randomBytes } from 'node:crypto';
import type { Repositories, RegistrationField, Role } from '@quizarena/db';
import { seedQuestions } from './questions.ts';

export { generateParticipants, generateParticipantsIn, type GenerateOptions } from './generate.ts';
export { seedQuestions } from './questions.ts';

export const DEMO_SLUG = 'tim-hieu-tu-tuong-ho-chi-minh-2026';
export const DEMO_PASSWORD = 'quizarena-demo';

export const DEMO_ACCOUNTS: { role: Role; email: string; name: string }[] = [
  { role: 'admin', email: 'admin@quizarena.local', name: 'Quản trị viên' },
  { role: 'organiser', email: 'organiser@quizarena.local', name: 'Ban Tổ chức' },
  { role: 'judge', email: 'judge@quizarena.local', name: 'Ban Giám khảo' },
  { role: 'participant', email: 'participant@quizarena.local', name: 'Nguyễn Văn An' },
];

export const DEMO_UNITS = [
  { code: 'NA', name: 'Tỉnh Nghệ An', parentCode: null, headcount: null },
  { code: 'NA-TD', name: 'Tỉnh đoàn Nghệ An', parentCode: 'NA', headcount: 120 },
  { code: 'NA-SGD', name: 'Sở Giáo dục và Đào tạo Nghệ An', parentCode: 'NA', headcount: 400 },
  { code: 'NA-THPT-HTK', name: 'Trường THPT Huỳnh Thúc Kháng', parentCode: 'NA-SGD', headcount: 1500 },
  { code: 'NA-THPT-PBC', name: 'Trường THPT chuyên Phan Bội Châu', parentCode: 'NA-SGD', headcount: 1200 },
  { code: 'NA-DHV', name: 'Trường Đại học Vinh', parentCode: 'NA', headcount: 12000 },
  { code: 'NA-CA', name: 'Công an tỉnh Nghệ An', parentCode: 'NA', headcount: 3000 },
  { code: 'HN', name: 'Thành phố Hà Nội', parentCode: null, headcount: null },
  { code: 'HN-DHQG', name: 'Đại học Quốc gia Hà Nội', parentCode: 'HN', headcount: 30000 },
  { code: 'HN-TD', name: 'Thành đoàn Hà Nội', parentCode: 'HN', headcount: 200 },
];

export const DEMO_GROUPS = [
  { key: 'A', name: 'Bảng A: Học sinh THCS, THPT / Secondary school students' },
  { key: 'B', name: 'Bảng B: Sinh viên / University students' },
  { key: 'C', name: 'Bảng C: Cán bộ, công chức, viên chức và Nhân dân / Officials and the public' },
];

export const DEMO_FIELDS: RegistrationField[] = [
  { key: 'fullName', label: 'Họ và tên / Full name', type: 'text', required: true },
  { key: 'dateOfBirth', label: 'Ngày sinh / Date of birth', type: 'date', required: true },
  { key: 'phone', label: 'Số điện thoại / Phone', type: 'phone', required: true },
  { key: 'idNumber', label: 'Số CCCD / Citizen ID number', type: 'text', required: false },
  { key: 'unit', label: 'Đơn vị / Unit', type: 'unit', required: true },
  { key: 'locality', label: 'Địa phương / Locality', type: 'text', required: false },
  { key: 'group', label: 'Bảng thi / Division', type: 'select', required: true, options: ['A', 'B', 'C'] },
];

const RULES = `1. Đối tượng: mọi công dân Việt Nam đang sinh sống, học tập và công tác trong và ngoài nước.
   Who: every Vietnamese citizen at home or abroad.
2. Mỗi tuần có một đợt thi gồm 20 câu hỏi trắc nghiệm, làm trong 15 phút; mỗi người được thi tối đa 2 lần mỗi đợt, lượt có kết quả cao nhất được tính.
   Each weekly round has 20 multiple-choice questions in 15 minutes; up to 2 attempts, the best counts.
3. Câu hỏi dự đoán: dự đoán số người trả lời đúng tất cả các câu hỏi; dùng để xếp hạng khi bằng điểm.
   Prediction question: guess how many participants will answer every question right; it breaks ties.
4. Xếp hạng: điểm cao hơn; bằng điểm thì dự đoán gần đúng hơn; rồi thời gian làm bài ngắn hơn; rồi nộp bài sớm hơn.
   Ranking: higher score; then the closer prediction; then the shorter time; then the earlier submission.
5. Giải thưởng mỗi tuần: 1 giải Nhất, 2 giải Nhì, 3 giải Ba, 5 giải Khuyến khích; giải tập thể cho đơn vị có nhiều người tham gia nhất.
   Weekly prizes: 1 first, 2 second, 3 third, 5 consolation; a collective prize for the unit with the most participants.`;

export interface SeedResult {
  created: boolean;
  contestId: number;
  roundIds: number[];
  bankId: number;
  accounts: { role: Role; email: string; password: string }[];
}

const DAY = 86_400_000;

/**
 * Loads the demo when its contest does not exist yet. `hashPassword` is the server's own, passed
 * in so that the seed does not depend on the API package.
 */
export async function seedDemo(
  repos: Repositories,
  opts: { now: number; hashPassword: (p: string) => Promise<string> },
): Promise<SeedResult> {
  const accounts = DEMO_ACCOUNTS.map((a) => ({ role: a.role, email: a.email, password: DEMO_PASSWORD }));
  const existing = await repos.contests.bySlug(DEMO_SLUG);
  if (existing) {
    const rounds = await repos.contests.roundsOf(existing.id);
    const banks = await repos.banks.list(existing.ownerId);
    return {
      created: false,
      contestId: existing.id,
      roundIds: rounds.map((r) => r.id),
      bankId: banks[0]?.id ?? 0,
      accounts,
    };
  }

  const passwordHash = await opts.hashPassword(DEMO_PASSWORD);
  const ids: Partial<Record<Role, number>> = {};
  for (const a of DEMO_ACCOUNTS) {
    const found = await repos.users.findByEmail(a.email);
    const roles: Role[] = a.role === 'participant' ? ['participant'] : [a.role, 'participant'];
    ids[a.role] = (
      found ?? (await repos.users.create({ email: a.email, name: a.name, passwordHash, roles }))
    ).id;
  }
  const organiser = ids.organiser!;

  const bank = await repos.banks.create(organiser, 'Ngân hàng câu hỏi tổng hợp / General question bank');
  await repos.banks.addQuestions(
    bank.id,
    seedQuestions.map((q) => ({
      type: q.type,
      stem: q.stem,
      options: q.options.map((o) => ({
        id: randomBytes(6).toString('base64url'),
        text: o.text,
        correct: o.correct,
      })),
      points: 1,
      tags: q.tags,
      difficulty: q.difficulty,
      explanation: q.explanation,
    })),
  );

  const contest = await repos.contests.create(
    {
      ownerId: organiser,
      slug: DEMO_SLUG,
      title:
        'Cuộc thi trực tuyến “Tìm hiểu về học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh” năm 2026 / Online quiz on studying and following Ho Chi Minh’s ideology, morality and style, 2026',
      description:
        'Cuộc thi trắc nghiệm trực tuyến hằng tuần về cuộc đời, sự nghiệp, tư tưởng Hồ Chí Minh, lịch sử, địa lý, pháp luật và chuyển đổi số. / A weekly online quiz on Ho Chi Minh’s life and ideas, Vietnamese history, geography, law and digital transformation.',
      rulesText: RULES,
      status: 'published',
      timeZone: 'Asia/Ho_Chi_Minh',
      registrationFields: DEMO_FIELDS,
      groups: DEMO_GROUPS,
      publishedAt: opts.now,
    },
    DEMO_UNITS,
  );

  const common = {
    contestId: contest.id,
    timeLimitSec: 15 * 60,
    questionCount: 20,
    maxAttempts: 2,
    shuffleQuestions: true,
    shuffleOptions: true,
    partialCredit: false,
    draw: [
      { bankId: bank.id, tags: ['ho-chi-minh'], count: 8 },
      { bankId: bank.id, tags: ['lich-su', 'dia-ly'], count: 6 },
      { bankId: bank.id, tags: ['cong-dan', 'chuyen-doi-so'], count: 6 },
    ],
    predictionPrompt:
      'Dự đoán có bao nhiêu người trả lời đúng tất cả các câu hỏi của tuần thi này? / How many participants will answer every question of this round right?',
    predictionKind: 'count' as const,
    showAnswers: 'after_close' as const,
    showLeaderboard: 'immediately' as const,
    prizeBands: [
      { name: 'Giải Nhất / First prize', count: 1 },
      { name: 'Giải Nhì / Second prize', count: 2 },
      { name: 'Giải Ba / Third prize', count: 3 },
      { name: 'Giải Khuyến khích / Consolation prize', count: 5 },
    ],
  };
  const week1 = await repos.contests.createRound({
    ...common,
    title: 'Tuần 1 / Week 1',
    opensAt: opts.now - DAY,
    closesAt: opts.now + 6 * DAY,
  });
  const week2 = await repos.contests.createRound({
    ...common,
    title: 'Tuần 2 / Week 2',
    opensAt: opts.now + 6 * DAY,
    closesAt: opts.now + 13 * DAY,
  });
  return { created: true, contestId: contest.id, roundIds: [week1.id, week2.id], bankId: bank.id, accounts };
}
