// Demo question bank: real, checked facts on Vietnamese history, geography, civics and digital transformation.
export interface SeedQuestion {
  type: 'single' | 'multiple' | 'truefalse';
  stem: string; // Vietnamese, with an English translation after " / " is NOT wanted; use stemEn
  stemEn: string; // English translation of the stem
  options: { text: string; correct: boolean }[]; // Vietnamese option texts
  tags: string[]; // from: 'lich-su', 'dia-ly', 'cong-dan', 'chuyen-doi-so', 'ho-chi-minh'
  difficulty: 1 | 2 | 3; // 1 easy, 2 medium, 3 hard
  explanation: string; // Vietnamese, one or two sentences saying why the answer is right
}

export const seedQuestions: SeedQuestion[] = [
  // ─────────────────────────── Hồ Chí Minh ───────────────────────────
  {
    type: 'single',
    stem: 'Chủ tịch Hồ Chí Minh sinh ngày, tháng, năm nào?',
    stemEn: 'When was President Ho Chi Minh born?',
    options: [
      { text: '2/9/1890', correct: false },
      { text: '19/5/1890', correct: true },
      { text: '19/5/1895', correct: false },
      { text: '3/2/1890', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Chủ tịch Hồ Chí Minh sinh ngày 19/5/1890 tại quê ngoại làng Hoàng Trù, xã Kim Liên, huyện Nam Đàn, tỉnh Nghệ An.',
  },
  {
    type: 'single',
    stem: 'Quê hương Kim Liên, Nam Đàn của Chủ tịch Hồ Chí Minh thuộc tỉnh nào?',
    stemEn: "President Ho Chi Minh's home village of Kim Lien, Nam Dan belongs to which province?",
    options: [
      { text: 'Hà Tĩnh', correct: false },
      { text: 'Thanh Hóa', correct: false },
      { text: 'Nghệ An', correct: true },
      { text: 'Quảng Bình', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Xã Kim Liên, huyện Nam Đàn, nơi có làng Sen (quê nội) và làng Hoàng Trù (quê ngoại) của Bác Hồ, thuộc tỉnh Nghệ An.',
  },
  {
    type: 'single',
    stem: 'Tên khai sinh của Chủ tịch Hồ Chí Minh là gì?',
    stemEn: "What was President Ho Chi Minh's birth name?",
    options: [
      { text: 'Nguyễn Tất Thành', correct: false },
      { text: 'Nguyễn Ái Quốc', correct: false },
      { text: 'Nguyễn Sinh Khiêm', correct: false },
      { text: 'Nguyễn Sinh Cung', correct: true },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Tên khai sinh của Người là Nguyễn Sinh Cung; Nguyễn Tất Thành và Nguyễn Ái Quốc là những tên gọi Người dùng về sau, còn Nguyễn Sinh Khiêm là anh trai của Người.',
  },
  {
    type: 'single',
    stem: 'Ngày 5/6/1911, người thanh niên Nguyễn Tất Thành rời Tổ quốc ra đi tìm đường cứu nước từ bến cảng nào?',
    stemEn:
      'On 5 June 1911, from which port did the young Nguyen Tat Thanh leave the country to seek a way to save the nation?',
    options: [
      { text: 'Bến Nhà Rồng (Sài Gòn)', correct: true },
      { text: 'Cảng Hải Phòng', correct: false },
      { text: 'Cảng Đà Nẵng', correct: false },
      { text: 'Cảng Quy Nhơn', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Ngày 5/6/1911, Nguyễn Tất Thành rời bến Nhà Rồng (Sài Gòn) trên tàu Amiral Latouche-Tréville để sang phương Tây tìm đường cứu nước.',
  },
  {
    type: 'single',
    stem: 'Khi xin làm phụ bếp trên tàu Amiral Latouche-Tréville năm 1911, Nguyễn Tất Thành lấy tên là gì?',
    stemEn:
      'What name did Nguyen Tat Thanh use when he signed on as a kitchen hand aboard the Amiral Latouche-Tréville in 1911?',
    options: [
      { text: 'Lý Thụy', correct: false },
      { text: 'Thầu Chín', correct: false },
      { text: 'Văn Ba', correct: true },
      { text: 'Già Thu', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 3,
    explanation:
      'Người lấy tên Văn Ba khi làm phụ bếp trên tàu Amiral Latouche-Tréville, rời bến Nhà Rồng ngày 5/6/1911.',
  },
  {
    type: 'single',
    stem: 'Ngày 2/9/1945, Chủ tịch Hồ Chí Minh đọc bản Tuyên ngôn độc lập khai sinh nước Việt Nam Dân chủ Cộng hòa tại đâu?',
    stemEn:
      'On 2 September 1945, where did President Ho Chi Minh read the Declaration of Independence founding the Democratic Republic of Vietnam?',
    options: [
      { text: 'Quảng trường Ba Đình, Hà Nội', correct: true },
      { text: 'Nhà hát Lớn Hà Nội', correct: false },
      { text: 'Đình Tân Trào, Tuyên Quang', correct: false },
      { text: 'Hồ Hoàn Kiếm, Hà Nội', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Ngày 2/9/1945, tại Quảng trường Ba Đình (khi đó là vườn hoa Ba Đình), Hà Nội, Chủ tịch Hồ Chí Minh đọc Tuyên ngôn độc lập khai sinh nước Việt Nam Dân chủ Cộng hòa.',
  },
  {
    type: 'single',
    stem: 'Hội nghị thành lập Đảng Cộng sản Việt Nam đầu năm 1930 do Nguyễn Ái Quốc chủ trì được tổ chức ở đâu?',
    stemEn:
      'Where was the conference founding the Communist Party of Vietnam, chaired by Nguyen Ai Quoc in early 1930, held?',
    options: [
      { text: 'Quảng Châu (Trung Quốc)', correct: false },
      { text: 'Thượng Hải (Trung Quốc)', correct: false },
      { text: 'Ma Cao', correct: false },
      { text: 'Hương Cảng (Hồng Kông, Trung Quốc)', correct: true },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      'Hội nghị hợp nhất các tổ chức cộng sản do Nguyễn Ái Quốc chủ trì họp tại Cửu Long, Hương Cảng (Hồng Kông); ngày 3/2/1930 được lấy làm ngày thành lập Đảng Cộng sản Việt Nam.',
  },
  {
    type: 'single',
    stem: 'Tác phẩm "Đường Kách mệnh" của Nguyễn Ái Quốc được xuất bản năm nào?',
    stemEn: 'In which year was Nguyen Ai Quoc\'s work "Đường Kách mệnh" (The Revolutionary Path) published?',
    options: [
      { text: '1925', correct: false },
      { text: '1927', correct: true },
      { text: '1930', correct: false },
      { text: '1941', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      '"Đường Kách mệnh" tập hợp các bài giảng của Nguyễn Ái Quốc tại các lớp huấn luyện cán bộ ở Quảng Châu và được xuất bản năm 1927.',
  },
  {
    type: 'single',
    stem: 'Tác phẩm nào của Nguyễn Ái Quốc được xuất bản lần đầu bằng tiếng Pháp tại Paris năm 1925?',
    stemEn: 'Which work by Nguyen Ai Quoc was first published in French in Paris in 1925?',
    options: [
      { text: 'Đường Kách mệnh', correct: false },
      { text: 'Nhật ký trong tù', correct: false },
      { text: 'Bản án chế độ thực dân Pháp', correct: true },
      { text: 'Sửa đổi lối làm việc', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      '"Bản án chế độ thực dân Pháp" (Le Procès de la colonisation française) được xuất bản lần đầu tại Paris năm 1925, tố cáo tội ác của chủ nghĩa thực dân Pháp.',
  },
  {
    type: 'single',
    stem: 'Tập thơ "Nhật ký trong tù" (1942–1943) của Hồ Chí Minh được viết bằng loại chữ nào?',
    stemEn: 'In which script was Ho Chi Minh\'s poetry collection "Prison Diary" (1942–1943) written?',
    options: [
      { text: 'Tiếng Pháp', correct: false },
      { text: 'Chữ Nôm', correct: false },
      { text: 'Chữ Quốc ngữ', correct: false },
      { text: 'Chữ Hán', correct: true },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      '"Nhật ký trong tù" gồm hơn 130 bài thơ chữ Hán, được Người sáng tác khi bị giam giữ ở Quảng Tây (Trung Quốc) trong những năm 1942–1943.',
  },
  {
    type: 'single',
    stem: 'Ngày 28/1/1941, Nguyễn Ái Quốc về nước trực tiếp lãnh đạo cách mạng, sống và làm việc tại Pác Bó thuộc tỉnh nào?',
    stemEn:
      'On 28 January 1941, Nguyen Ai Quoc returned to Vietnam to lead the revolution directly, living and working at Pac Bo in which province?',
    options: [
      { text: 'Cao Bằng', correct: true },
      { text: 'Lạng Sơn', correct: false },
      { text: 'Hà Giang', correct: false },
      { text: 'Tuyên Quang', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Ngày 28/1/1941, sau 30 năm hoạt động ở nước ngoài, Nguyễn Ái Quốc về nước và chọn Pác Bó (Cao Bằng) làm nơi ở, làm việc để trực tiếp lãnh đạo cách mạng.',
  },
  {
    type: 'single',
    stem: 'Chủ tịch Hồ Chí Minh bắt đầu viết bản Di chúc vào năm nào?',
    stemEn: 'In which year did President Ho Chi Minh begin writing his Testament?',
    options: [
      { text: '1960', correct: false },
      { text: '1963', correct: false },
      { text: '1965', correct: true },
      { text: '1969', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      'Chủ tịch Hồ Chí Minh bắt đầu viết Di chúc ngày 10/5/1965 và tiếp tục bổ sung, sửa chữa cho đến năm 1969.',
  },
  {
    type: 'single',
    stem: 'Chủ tịch Hồ Chí Minh từ trần vào ngày nào?',
    stemEn: 'On what date did President Ho Chi Minh pass away?',
    options: [
      { text: '19/5/1969', correct: false },
      { text: '7/5/1969', correct: false },
      { text: '2/9/1970', correct: false },
      { text: '2/9/1969', correct: true },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Chủ tịch Hồ Chí Minh từ trần lúc 9 giờ 47 phút ngày 2/9/1969 tại Hà Nội, hưởng thọ 79 tuổi.',
  },
  {
    type: 'single',
    stem: 'Chân lý "Không có gì quý hơn độc lập, tự do" được Chủ tịch Hồ Chí Minh nêu lên trong văn kiện nào?',
    stemEn:
      'In which document did President Ho Chi Minh state the truth "Nothing is more precious than independence and freedom"?',
    options: [
      { text: 'Tuyên ngôn độc lập (2/9/1945)', correct: false },
      { text: 'Lời kêu gọi toàn quốc kháng chiến (19/12/1946)', correct: false },
      { text: 'Lời kêu gọi đồng bào và chiến sĩ cả nước (17/7/1966)', correct: true },
      { text: 'Thư gửi các học sinh (tháng 9/1945)', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      'Trong Lời kêu gọi đồng bào và chiến sĩ cả nước ngày 17/7/1966 kêu gọi chống Mỹ cứu nước, Chủ tịch Hồ Chí Minh khẳng định "Không có gì quý hơn độc lập, tự do".',
  },
  {
    type: 'single',
    stem: 'Tháng 7/1920, Nguyễn Ái Quốc đọc văn kiện nào của V.I. Lênin và tìm thấy con đường cứu nước đúng đắn?',
    stemEn:
      'In July 1920, which document by V.I. Lenin did Nguyen Ai Quoc read that showed him the right path to national salvation?',
    options: [
      { text: 'Sơ thảo lần thứ nhất những luận cương về vấn đề dân tộc và vấn đề thuộc địa', correct: true },
      { text: 'Tuyên ngôn của Đảng Cộng sản', correct: false },
      { text: 'Tư bản', correct: false },
      { text: 'Bàn về khế ước xã hội', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      'Tháng 7/1920, Nguyễn Ái Quốc đọc "Sơ thảo lần thứ nhất những luận cương về vấn đề dân tộc và vấn đề thuộc địa" của Lênin đăng trên báo L\'Humanité và tìm thấy con đường giải phóng dân tộc.',
  },
  {
    type: 'single',
    stem: 'Chỉ thị số 05-CT/TW ngày 15/5/2016 của Bộ Chính trị khóa XII đề cập nội dung gì?',
    stemEn: 'What is the subject of Directive No. 05-CT/TW of 15 May 2016 issued by the 12th-term Politburo?',
    options: [
      { text: 'Đẩy mạnh chuyển đổi số quốc gia', correct: false },
      { text: 'Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh', correct: true },
      { text: 'Xây dựng nông thôn mới', correct: false },
      { text: 'Phát triển kinh tế biển', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 3,
    explanation:
      'Chỉ thị 05-CT/TW ngày 15/5/2016 của Bộ Chính trị là chỉ thị về "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh".',
  },
  {
    type: 'single',
    stem: 'Hoàn thành câu nói của Chủ tịch Hồ Chí Minh: "Vì lợi ích mười năm thì phải trồng cây, vì lợi ích trăm năm thì phải ..."',
    stemEn:
      'Complete President Ho Chi Minh\'s saying: "For the sake of ten years, plant trees; for the sake of a hundred years, ..."',
    options: [
      { text: 'xây trường', correct: false },
      { text: 'trồng rừng', correct: false },
      { text: 'trồng người', correct: true },
      { text: 'giữ nước', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Câu nói đầy đủ là "Vì lợi ích mười năm thì phải trồng cây, vì lợi ích trăm năm thì phải trồng người", nhấn mạnh giáo dục, đào tạo con người là sự nghiệp lâu dài.',
  },
  {
    type: 'single',
    stem: 'Ngày Báo chí cách mạng Việt Nam (21/6) gắn với sự ra đời của tờ báo nào do Nguyễn Ái Quốc sáng lập năm 1925?',
    stemEn:
      'Vietnam Revolutionary Press Day (21 June) commemorates the founding of which newspaper established by Nguyen Ai Quoc in 1925?',
    options: [
      { text: 'Người cùng khổ (Le Paria)', correct: false },
      { text: 'Nhân Dân', correct: false },
      { text: 'Cứu Quốc', correct: false },
      { text: 'Thanh Niên', correct: true },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      'Ngày 21/6/1925, Nguyễn Ái Quốc sáng lập báo Thanh Niên, cơ quan ngôn luận của Hội Việt Nam Cách mạng Thanh niên, tại Quảng Châu; ngày này được chọn làm Ngày Báo chí cách mạng Việt Nam.',
  },
  {
    type: 'truefalse',
    stem: 'Năm 1987, UNESCO thông qua nghị quyết tôn vinh Chủ tịch Hồ Chí Minh là Anh hùng giải phóng dân tộc, Nhà văn hóa kiệt xuất của Việt Nam.',
    stemEn:
      'In 1987, UNESCO adopted a resolution honouring President Ho Chi Minh as a Hero of National Liberation and an Outstanding Man of Culture of Vietnam.',
    options: [
      { text: 'Đúng', correct: true },
      { text: 'Sai', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 2,
    explanation:
      'Nghị quyết được Khóa họp thứ 24 Đại hội đồng UNESCO thông qua năm 1987, nhân dịp kỷ niệm 100 năm Ngày sinh Chủ tịch Hồ Chí Minh (1990).',
  },
  {
    type: 'multiple',
    stem: 'Những tác phẩm nào sau đây do Chủ tịch Hồ Chí Minh (Nguyễn Ái Quốc) sáng tác?',
    stemEn: 'Which of the following works were written by President Ho Chi Minh (Nguyen Ai Quoc)?',
    options: [
      { text: 'Đường Kách mệnh', correct: true },
      { text: 'Bình Ngô đại cáo', correct: false },
      { text: 'Nhật ký trong tù', correct: true },
      { text: 'Bản án chế độ thực dân Pháp', correct: true },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      '"Đường Kách mệnh", "Nhật ký trong tù" và "Bản án chế độ thực dân Pháp" là tác phẩm của Hồ Chí Minh; "Bình Ngô đại cáo" do Nguyễn Trãi soạn năm 1428.',
  },
  {
    type: 'multiple',
    stem: 'Những tên gọi nào sau đây là tên mà Chủ tịch Hồ Chí Minh từng sử dụng?',
    stemEn: 'Which of the following are names that President Ho Chi Minh used?',
    options: [
      { text: 'Nguyễn Tất Thành', correct: true },
      { text: 'Nguyễn Sinh Sắc', correct: false },
      { text: 'Nguyễn Ái Quốc', correct: true },
      { text: 'Phan Bội Châu', correct: false },
    ],
    tags: ['ho-chi-minh'],
    difficulty: 1,
    explanation:
      'Nguyễn Tất Thành và Nguyễn Ái Quốc là tên gọi của Chủ tịch Hồ Chí Minh; Nguyễn Sinh Sắc là thân phụ của Người, còn Phan Bội Châu là nhà yêu nước cùng thời.',
  },

  // ─────────────────────────── Lịch sử ───────────────────────────
  {
    type: 'single',
    stem: 'Chiến dịch Điện Biên Phủ "lừng lẫy năm châu, chấn động địa cầu" kết thúc thắng lợi vào ngày nào?',
    stemEn: 'On what date did the Dien Bien Phu campaign end in victory?',
    options: [
      { text: '13/3/1954', correct: false },
      { text: '21/7/1954', correct: false },
      { text: '7/5/1954', correct: true },
      { text: '30/4/1954', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Chiến dịch Điện Biên Phủ mở màn ngày 13/3/1954 và kết thúc thắng lợi ngày 7/5/1954, buộc Pháp phải ký Hiệp định Giơnevơ.',
  },
  {
    type: 'single',
    stem: 'Hiệp định Giơnevơ về đình chỉ chiến sự ở Đông Dương được ký kết vào năm nào?',
    stemEn: 'In which year was the Geneva Agreement on the cessation of hostilities in Indochina signed?',
    options: [
      { text: '1946', correct: false },
      { text: '1950', correct: false },
      { text: '1973', correct: false },
      { text: '1954', correct: true },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Hiệp định Giơnevơ được ký ngày 21/7/1954, chấm dứt chiến tranh ở Đông Dương; Việt Nam tạm thời bị chia cắt tại vĩ tuyến 17.',
  },
  {
    type: 'single',
    stem: 'Hiệp định Paris về chấm dứt chiến tranh, lập lại hòa bình ở Việt Nam được ký kết vào ngày nào?',
    stemEn:
      'On what date was the Paris Peace Accord on ending the war and restoring peace in Vietnam signed?',
    options: [
      { text: '27/1/1973', correct: true },
      { text: '27/1/1975', correct: false },
      { text: '21/7/1973', correct: false },
      { text: '30/4/1973', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 3,
    explanation:
      'Hiệp định Paris được ký ngày 27/1/1973, theo đó Mỹ cam kết tôn trọng các quyền dân tộc cơ bản của Việt Nam và rút hết quân khỏi miền Nam.',
  },
  {
    type: 'single',
    stem: 'Năm 938, ai là người lãnh đạo quân dân ta đánh tan quân Nam Hán trên sông Bạch Đằng?',
    stemEn: 'In 938, who led the Vietnamese to defeat the Southern Han army on the Bach Dang River?',
    options: [
      { text: 'Lý Thường Kiệt', correct: false },
      { text: 'Ngô Quyền', correct: true },
      { text: 'Lê Lợi', correct: false },
      { text: 'Quang Trung', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Chiến thắng Bạch Đằng năm 938 do Ngô Quyền lãnh đạo đã chấm dứt hơn một nghìn năm Bắc thuộc, mở ra thời kỳ độc lập lâu dài cho dân tộc.',
  },
  {
    type: 'single',
    stem: 'Cuộc khởi nghĩa Hai Bà Trưng chống ách đô hộ của nhà Đông Hán nổ ra vào năm nào?',
    stemEn: "In which year did the Trung Sisters' uprising against Eastern Han rule break out?",
    options: [
      { text: 'Năm 248', correct: false },
      { text: 'Năm 542', correct: false },
      { text: 'Năm 938', correct: false },
      { text: 'Năm 40', correct: true },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Khởi nghĩa Hai Bà Trưng nổ ra vào mùa xuân năm 40 ở Mê Linh, chống ách đô hộ của nhà Đông Hán.',
  },
  {
    type: 'single',
    stem: 'Năm 1010, vua Lý Thái Tổ dời đô từ Hoa Lư về thành Đại La và đổi tên kinh đô là gì?',
    stemEn: 'In 1010, King Ly Thai To moved the capital from Hoa Lu to Dai La citadel and renamed it what?',
    options: [
      { text: 'Phú Xuân', correct: false },
      { text: 'Đông Kinh', correct: false },
      { text: 'Thăng Long', correct: true },
      { text: 'Đông Đô', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Theo Chiếu dời đô năm 1010, vua Lý Thái Tổ dời kinh đô từ Hoa Lư về thành Đại La và đổi tên là Thăng Long.',
  },
  {
    type: 'single',
    stem: 'Tác phẩm "Bình Ngô đại cáo" (1428) do ai soạn thảo?',
    stemEn: 'Who wrote "Bình Ngô đại cáo" (Great Proclamation upon the Pacification of the Wu, 1428)?',
    options: [
      { text: 'Nguyễn Trãi', correct: true },
      { text: 'Lý Thường Kiệt', correct: false },
      { text: 'Trần Hưng Đạo', correct: false },
      { text: 'Nguyễn Du', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Nguyễn Trãi thừa lệnh Lê Lợi soạn "Bình Ngô đại cáo" năm 1428 sau khi cuộc khởi nghĩa Lam Sơn đánh đuổi quân Minh thắng lợi.',
  },
  {
    type: 'single',
    stem: 'Tết Kỷ Dậu năm 1789, vua Quang Trung chỉ huy đại phá quân xâm lược nào tại Ngọc Hồi – Đống Đa?',
    stemEn:
      'During the Tet of 1789 (Ky Dau), Emperor Quang Trung crushed which invading army at Ngoc Hoi – Dong Da?',
    options: [
      { text: 'Quân Thanh', correct: true },
      { text: 'Quân Nguyên', correct: false },
      { text: 'Quân Xiêm', correct: false },
      { text: 'Quân Minh', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 2,
    explanation:
      'Tết Kỷ Dậu 1789, vua Quang Trung tiến quân thần tốc ra Bắc, đại phá quân Thanh tại Ngọc Hồi – Đống Đa và giải phóng Thăng Long.',
  },
  {
    type: 'single',
    stem: 'Trong Cách mạng tháng Tám năm 1945, nhân dân Hà Nội khởi nghĩa giành chính quyền vào ngày nào?',
    stemEn:
      'During the August Revolution of 1945, on what date did the people of Hanoi rise up and seize power?',
    options: [
      { text: '23/8/1945', correct: false },
      { text: '25/8/1945', correct: false },
      { text: '2/9/1945', correct: false },
      { text: '19/8/1945', correct: true },
    ],
    tags: ['lich-su'],
    difficulty: 2,
    explanation:
      'Ngày 19/8/1945, nhân dân Hà Nội khởi nghĩa giành chính quyền thắng lợi; tiếp đó là Huế (23/8) và Sài Gòn (25/8).',
  },
  {
    type: 'single',
    stem: 'Quốc dân Đại hội ngày 16/8/1945, tán thành chủ trương Tổng khởi nghĩa và bầu Ủy ban Dân tộc giải phóng Việt Nam, được tổ chức ở đâu?',
    stemEn:
      'Where was the National Congress of 16 August 1945, which endorsed the General Uprising and elected the Vietnam National Liberation Committee, held?',
    options: [
      { text: 'Pác Bó (Cao Bằng)', correct: false },
      { text: 'Tân Trào (Tuyên Quang)', correct: true },
      { text: 'Ba Đình (Hà Nội)', correct: false },
      { text: 'Hương Cảng (Trung Quốc)', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 2,
    explanation:
      'Ngày 16/8/1945, Quốc dân Đại hội họp tại đình Tân Trào (Tuyên Quang), tán thành chủ trương Tổng khởi nghĩa và bầu Ủy ban Dân tộc giải phóng Việt Nam do Hồ Chí Minh làm Chủ tịch.',
  },
  {
    type: 'single',
    stem: 'Cuộc Tổng tuyển cử đầu tiên bầu Quốc hội khóa I của nước Việt Nam Dân chủ Cộng hòa diễn ra vào ngày nào?',
    stemEn:
      'On what date was the first general election for the 1st National Assembly of the Democratic Republic of Vietnam held?',
    options: [
      { text: '2/9/1945', correct: false },
      { text: '6/1/1946', correct: true },
      { text: '6/3/1946', correct: false },
      { text: '19/12/1946', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 2,
    explanation:
      'Ngày 6/1/1946, cuộc Tổng tuyển cử đầu tiên được tổ chức trong cả nước, bầu ra Quốc hội khóa I của nước Việt Nam Dân chủ Cộng hòa.',
  },
  {
    type: 'single',
    stem: 'Trận "Hà Nội – Điện Biên Phủ trên không", đánh bại cuộc tập kích chiến lược bằng máy bay B-52 của Mỹ, diễn ra vào năm nào?',
    stemEn:
      'In which year did the "Hanoi – Dien Bien Phu in the Air" battle, defeating the US B-52 strategic bombing campaign, take place?',
    options: [
      { text: '1965', correct: false },
      { text: '1968', correct: false },
      { text: '1972', correct: true },
      { text: '1975', correct: false },
    ],
    tags: ['lich-su'],
    difficulty: 2,
    explanation:
      'Từ ngày 18 đến 29/12/1972, quân dân miền Bắc đánh bại cuộc tập kích bằng máy bay B-52 của Mỹ vào Hà Nội, Hải Phòng, làm nên trận "Điện Biên Phủ trên không".',
  },
  {
    type: 'truefalse',
    stem: 'Nhà nước Âu Lạc của An Dương Vương là nhà nước đầu tiên trong lịch sử Việt Nam.',
    stemEn: 'The Au Lac state of King An Duong Vuong was the first state in Vietnamese history.',
    options: [
      { text: 'Đúng', correct: false },
      { text: 'Sai', correct: true },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Nhà nước đầu tiên trong lịch sử Việt Nam là nhà nước Văn Lang do các vua Hùng đứng đầu; nhà nước Âu Lạc của An Dương Vương ra đời sau đó.',
  },
  {
    type: 'multiple',
    stem: 'Những vị vua nào sau đây thuộc triều Nguyễn?',
    stemEn: 'Which of the following kings belonged to the Nguyen dynasty?',
    options: [
      { text: 'Gia Long', correct: true },
      { text: 'Lê Thánh Tông', correct: false },
      { text: 'Minh Mạng', correct: true },
      { text: 'Tự Đức', correct: true },
    ],
    tags: ['lich-su'],
    difficulty: 1,
    explanation:
      'Gia Long, Minh Mạng và Tự Đức là các vua triều Nguyễn (1802–1945); Lê Thánh Tông là vua triều Lê sơ ở thế kỷ XV.',
  },
  {
    type: 'multiple',
    stem: 'Những sự kiện nào sau đây diễn ra trong năm 1945?',
    stemEn: 'Which of the following events took place in 1945?',
    options: [
      { text: 'Nhật đảo chính Pháp ở Đông Dương', correct: true },
      { text: 'Chiến thắng Điện Biên Phủ', correct: false },
      { text: 'Tổng tuyển cử bầu Quốc hội khóa I', correct: false },
      { text: 'Cách mạng tháng Tám thành công', correct: true },
    ],
    tags: ['lich-su'],
    difficulty: 2,
    explanation:
      'Nhật đảo chính Pháp ngày 9/3/1945 và Cách mạng tháng Tám thành công năm 1945; Tổng tuyển cử diễn ra ngày 6/1/1946, còn Chiến thắng Điện Biên Phủ là năm 1954.',
  },
  {
    type: 'multiple',
    stem: 'Những nhân vật lịch sử nào sau đây đã lãnh đạo quân dân ta giành chiến thắng trên sông Bạch Đằng?',
    stemEn:
      'Which of the following historical figures led Vietnamese forces to victory on the Bach Dang River?',
    options: [
      { text: 'Ngô Quyền', correct: true },
      { text: 'Lê Hoàn', correct: true },
      { text: 'Quang Trung', correct: false },
      { text: 'Trần Hưng Đạo', correct: true },
    ],
    tags: ['lich-su'],
    difficulty: 3,
    explanation:
      'Sông Bạch Đằng gắn với ba chiến thắng: Ngô Quyền đánh quân Nam Hán (938), Lê Hoàn đánh quân Tống (981) và Trần Hưng Đạo đánh quân Nguyên (1288); Quang Trung không đánh trận nào trên sông Bạch Đằng.',
  },

  // ─────────────────────────── Địa lý ───────────────────────────
  {
    type: 'single',
    stem: 'Đỉnh núi cao nhất Việt Nam là đỉnh nào?',
    stemEn: 'What is the highest mountain peak in Vietnam?',
    options: [
      { text: 'Pu Si Lung', correct: false },
      { text: 'Ngọc Linh', correct: false },
      { text: 'Phan Xi Păng', correct: true },
      { text: 'Tây Côn Lĩnh', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 1,
    explanation:
      'Phan Xi Păng (Fansipan) thuộc dãy Hoàng Liên Sơn, cao hơn 3.100 m, là đỉnh núi cao nhất Việt Nam và được mệnh danh là "nóc nhà Đông Dương".',
  },
  {
    type: 'single',
    stem: 'Sông Mê Kông khi chảy qua lãnh thổ Việt Nam được gọi là sông gì?',
    stemEn: 'What is the Mekong River called where it flows through Vietnam?',
    options: [
      { text: 'Sông Cửu Long', correct: true },
      { text: 'Sông Hồng', correct: false },
      { text: 'Sông Đồng Nai', correct: false },
      { text: 'Sông Mã', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 1,
    explanation:
      'Đoạn sông Mê Kông chảy qua Việt Nam được gọi là sông Cửu Long, bồi đắp nên đồng bằng sông Cửu Long trước khi đổ ra Biển Đông.',
  },
  {
    type: 'single',
    stem: 'Quần đảo Hoàng Sa của Việt Nam thuộc đơn vị hành chính cấp tỉnh nào?',
    stemEn: "Vietnam's Hoang Sa (Paracel) archipelago belongs to which provincial-level administrative unit?",
    options: [
      { text: 'Tỉnh Khánh Hòa', correct: false },
      { text: 'Thành phố Đà Nẵng', correct: true },
      { text: 'Tỉnh Quảng Ngãi', correct: false },
      { text: 'Thành phố Hải Phòng', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 2,
    explanation:
      'Quần đảo Hoàng Sa là đơn vị hành chính thuộc thành phố Đà Nẵng, còn quần đảo Trường Sa thuộc tỉnh Khánh Hòa.',
  },
  {
    type: 'single',
    stem: 'Quần đảo Trường Sa của Việt Nam thuộc đơn vị hành chính cấp tỉnh nào?',
    stemEn:
      "Vietnam's Truong Sa (Spratly) archipelago belongs to which provincial-level administrative unit?",
    options: [
      { text: 'Thành phố Đà Nẵng', correct: false },
      { text: 'Tỉnh Quảng Ngãi', correct: false },
      { text: 'Tỉnh Cà Mau', correct: false },
      { text: 'Tỉnh Khánh Hòa', correct: true },
    ],
    tags: ['dia-ly'],
    difficulty: 2,
    explanation:
      'Quần đảo Trường Sa là đơn vị hành chính thuộc tỉnh Khánh Hòa, còn quần đảo Hoàng Sa thuộc thành phố Đà Nẵng.',
  },
  {
    type: 'single',
    stem: 'Vịnh Hạ Long, di sản thiên nhiên thế giới, nằm ở tỉnh nào?',
    stemEn: 'Ha Long Bay, a World Natural Heritage site, is located in which province?',
    options: [
      { text: 'Thanh Hóa', correct: false },
      { text: 'Quảng Ninh', correct: true },
      { text: 'Nghệ An', correct: false },
      { text: 'Lạng Sơn', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 1,
    explanation:
      'Vịnh Hạ Long thuộc tỉnh Quảng Ninh và được UNESCO công nhận là Di sản thiên nhiên thế giới lần đầu vào năm 1994.',
  },
  {
    type: 'single',
    stem: 'Điểm cực Nam trên đất liền của Việt Nam là địa danh nào?',
    stemEn: 'Which place is the southernmost point of mainland Vietnam?',
    options: [
      { text: 'Mũi Né', correct: false },
      { text: 'Mũi Đôi', correct: false },
      { text: 'Mũi Cà Mau', correct: true },
      { text: 'Mũi Nai', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 1,
    explanation:
      'Mũi Cà Mau (tỉnh Cà Mau) là điểm cực Nam trên đất liền của Việt Nam; Mũi Đôi (Khánh Hòa) là điểm cực Đông.',
  },
  {
    type: 'single',
    stem: 'Điểm cực Bắc trên đất liền của Việt Nam gắn với địa danh nào?',
    stemEn: 'Which place name is associated with the northernmost point of mainland Vietnam?',
    options: [
      { text: 'Lũng Cú', correct: true },
      { text: 'Đất Mũi', correct: false },
      { text: 'Sín Thầu', correct: false },
      { text: 'Mẫu Sơn', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 2,
    explanation:
      'Điểm cực Bắc của Việt Nam nằm ở Lũng Cú, nơi có cột cờ Lũng Cú; Đất Mũi là điểm cực Nam, Sín Thầu là điểm cực Tây.',
  },
  {
    type: 'single',
    stem: 'Việt Nam có bao nhiêu dân tộc anh em?',
    stemEn: 'How many ethnic groups are there in Vietnam?',
    options: [
      { text: '45', correct: false },
      { text: '63', correct: false },
      { text: '64', correct: false },
      { text: '54', correct: true },
    ],
    tags: ['dia-ly'],
    difficulty: 1,
    explanation: 'Việt Nam là quốc gia thống nhất của 54 dân tộc anh em, trong đó dân tộc Kinh chiếm đa số.',
  },
  {
    type: 'single',
    stem: 'Diện tích phần đất liền của Việt Nam vào khoảng bao nhiêu?',
    stemEn: "Approximately how large is Vietnam's land area?",
    options: [
      { text: 'Khoảng 231 nghìn km²', correct: false },
      { text: 'Khoảng 331 nghìn km²', correct: true },
      { text: 'Khoảng 431 nghìn km²', correct: false },
      { text: 'Khoảng 531 nghìn km²', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 2,
    explanation:
      'Phần đất liền của Việt Nam có diện tích khoảng 331 nghìn km², kéo dài theo chiều Bắc – Nam khoảng 1.650 km.',
  },
  {
    type: 'single',
    stem: 'Đường bờ biển Việt Nam dài khoảng bao nhiêu ki-lô-mét?',
    stemEn: "Approximately how long is Vietnam's coastline?",
    options: [
      { text: 'Khoảng 1.260 km', correct: false },
      { text: 'Khoảng 2.360 km', correct: false },
      { text: 'Khoảng 3.260 km', correct: true },
      { text: 'Khoảng 4.260 km', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 2,
    explanation:
      'Việt Nam có đường bờ biển dài khoảng 3.260 km, chạy từ Móng Cái ở phía bắc đến Hà Tiên ở phía tây nam.',
  },
  {
    type: 'single',
    stem: 'Đồng bằng nào có diện tích lớn nhất Việt Nam?',
    stemEn: 'Which plain (delta) is the largest in Vietnam?',
    options: [
      { text: 'Đồng bằng sông Hồng', correct: false },
      { text: 'Đồng bằng duyên hải Nam Trung Bộ', correct: false },
      { text: 'Đồng bằng Thanh – Nghệ – Tĩnh', correct: false },
      { text: 'Đồng bằng sông Cửu Long', correct: true },
    ],
    tags: ['dia-ly'],
    difficulty: 1,
    explanation:
      'Đồng bằng sông Cửu Long rộng khoảng 40 nghìn km², lớn nhất cả nước, trong khi đồng bằng sông Hồng rộng khoảng 15 nghìn km².',
  },
  {
    type: 'truefalse',
    stem: 'Lãnh thổ Việt Nam nằm hoàn toàn trong vùng nội chí tuyến của bán cầu Bắc.',
    stemEn: "Vietnam's territory lies entirely within the tropical zone of the Northern Hemisphere.",
    options: [
      { text: 'Đúng', correct: true },
      { text: 'Sai', correct: false },
    ],
    tags: ['dia-ly'],
    difficulty: 2,
    explanation:
      'Điểm cực Bắc của Việt Nam ở khoảng vĩ độ 23°23′B, thấp hơn chí tuyến Bắc (khoảng 23°26′B), nên toàn bộ lãnh thổ nằm trong vùng nội chí tuyến bán cầu Bắc.',
  },
  {
    type: 'multiple',
    stem: 'Những di sản nào sau đây của Việt Nam được UNESCO công nhận là di sản thiên nhiên thế giới?',
    stemEn: 'Which of the following Vietnamese sites are recognised by UNESCO as World Natural Heritage?',
    options: [
      { text: 'Phố cổ Hội An', correct: false },
      { text: 'Vịnh Hạ Long – quần đảo Cát Bà', correct: true },
      { text: 'Khu trung tâm Hoàng thành Thăng Long', correct: false },
      { text: 'Vườn quốc gia Phong Nha – Kẻ Bàng', correct: true },
    ],
    tags: ['dia-ly'],
    difficulty: 2,
    explanation:
      'Vịnh Hạ Long – quần đảo Cát Bà và Vườn quốc gia Phong Nha – Kẻ Bàng là di sản thiên nhiên thế giới; Phố cổ Hội An và Hoàng thành Thăng Long là di sản văn hóa thế giới.',
  },
  {
    type: 'multiple',
    stem: 'Việt Nam có đường biên giới trên đất liền với những quốc gia nào?',
    stemEn: 'Which countries share a land border with Vietnam?',
    options: [
      { text: 'Trung Quốc', correct: true },
      { text: 'Lào', correct: true },
      { text: 'Thái Lan', correct: false },
      { text: 'Campuchia', correct: true },
    ],
    tags: ['dia-ly'],
    difficulty: 1,
    explanation:
      'Việt Nam có chung đường biên giới trên đất liền với Trung Quốc ở phía bắc, Lào và Campuchia ở phía tây; Việt Nam không giáp Thái Lan trên đất liền.',
  },

  // ─────────────────────────── Công dân ───────────────────────────
  {
    type: 'single',
    stem: 'Hiến pháp năm 2013 của nước Cộng hòa xã hội chủ nghĩa Việt Nam được Quốc hội thông qua vào ngày nào?',
    stemEn:
      'On what date did the National Assembly adopt the 2013 Constitution of the Socialist Republic of Vietnam?',
    options: [
      { text: '1/1/2014', correct: false },
      { text: '2/9/2013', correct: false },
      { text: '28/11/2013', correct: true },
      { text: '15/4/2013', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 3,
    explanation:
      'Hiến pháp năm 2013 được Quốc hội khóa XIII thông qua ngày 28/11/2013 tại Kỳ họp thứ 6 và có hiệu lực từ ngày 1/1/2014.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, nhiệm kỳ của mỗi khóa Quốc hội là bao nhiêu năm?',
    stemEn: 'Under the 2013 Constitution, how many years is the term of each National Assembly?',
    options: [
      { text: '3 năm', correct: false },
      { text: '4 năm', correct: false },
      { text: '6 năm', correct: false },
      { text: '5 năm', correct: true },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation: 'Điều 71 Hiến pháp năm 2013 quy định nhiệm kỳ của mỗi khóa Quốc hội là 5 năm.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, công dân Việt Nam đủ bao nhiêu tuổi trở lên có quyền bầu cử?',
    stemEn: 'Under the 2013 Constitution, at what age do Vietnamese citizens gain the right to vote?',
    options: [
      { text: 'Đủ 16 tuổi', correct: false },
      { text: 'Đủ 18 tuổi', correct: true },
      { text: 'Đủ 20 tuổi', correct: false },
      { text: 'Đủ 21 tuổi', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation:
      'Điều 27 Hiến pháp năm 2013 quy định công dân đủ mười tám tuổi trở lên có quyền bầu cử vào Quốc hội, Hội đồng nhân dân.',
  },
  {
    type: 'truefalse',
    stem: 'Theo Hiến pháp năm 2013, công dân đủ 21 tuổi trở lên có quyền ứng cử vào Quốc hội, Hội đồng nhân dân.',
    stemEn:
      "Under the 2013 Constitution, citizens aged 21 or older have the right to stand for election to the National Assembly and People's Councils.",
    options: [
      { text: 'Đúng', correct: true },
      { text: 'Sai', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 2,
    explanation:
      'Điều 27 Hiến pháp năm 2013 quy định công dân đủ mười tám tuổi trở lên có quyền bầu cử và đủ hai mươi mốt tuổi trở lên có quyền ứng cử.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, cơ quan nào là cơ quan hành chính nhà nước cao nhất của nước Cộng hòa xã hội chủ nghĩa Việt Nam?',
    stemEn:
      'Under the 2013 Constitution, which body is the highest state administrative body of the Socialist Republic of Vietnam?',
    options: [
      { text: 'Chính phủ', correct: true },
      { text: 'Quốc hội', correct: false },
      { text: 'Ủy ban Thường vụ Quốc hội', correct: false },
      { text: 'Tòa án nhân dân tối cao', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation:
      'Điều 94 Hiến pháp năm 2013 quy định Chính phủ là cơ quan hành chính nhà nước cao nhất, thực hiện quyền hành pháp và là cơ quan chấp hành của Quốc hội.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, ai là người đứng đầu Nhà nước, thay mặt nước Cộng hòa xã hội chủ nghĩa Việt Nam về đối nội và đối ngoại?',
    stemEn:
      'Under the 2013 Constitution, who is the Head of State, representing the Socialist Republic of Vietnam in domestic and foreign affairs?',
    options: [
      { text: 'Thủ tướng Chính phủ', correct: false },
      { text: 'Chủ tịch Quốc hội', correct: false },
      { text: 'Chủ tịch nước', correct: true },
      { text: 'Chánh án Tòa án nhân dân tối cao', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation:
      'Điều 86 Hiến pháp năm 2013 quy định Chủ tịch nước là người đứng đầu Nhà nước, thay mặt nước Cộng hòa xã hội chủ nghĩa Việt Nam về đối nội và đối ngoại.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, cơ quan nào là cơ quan xét xử của nước Cộng hòa xã hội chủ nghĩa Việt Nam, thực hiện quyền tư pháp?',
    stemEn:
      'Under the 2013 Constitution, which body is the adjudicating body of the Socialist Republic of Vietnam, exercising judicial power?',
    options: [
      { text: 'Viện kiểm sát nhân dân', correct: false },
      { text: 'Tòa án nhân dân', correct: true },
      { text: 'Bộ Tư pháp', correct: false },
      { text: 'Bộ Công an', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 2,
    explanation:
      'Điều 102 Hiến pháp năm 2013 quy định Tòa án nhân dân là cơ quan xét xử của nước Cộng hòa xã hội chủ nghĩa Việt Nam, thực hiện quyền tư pháp.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, cơ quan nào thực hành quyền công tố, kiểm sát hoạt động tư pháp?',
    stemEn:
      'Under the 2013 Constitution, which body exercises the power of public prosecution and supervises judicial activities?',
    options: [
      { text: 'Tòa án nhân dân', correct: false },
      { text: 'Thanh tra Chính phủ', correct: false },
      { text: 'Kiểm toán nhà nước', correct: false },
      { text: 'Viện kiểm sát nhân dân', correct: true },
    ],
    tags: ['cong-dan'],
    difficulty: 2,
    explanation:
      'Điều 107 Hiến pháp năm 2013 quy định Viện kiểm sát nhân dân thực hành quyền công tố, kiểm sát hoạt động tư pháp.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, Quốc ca nước Cộng hòa xã hội chủ nghĩa Việt Nam là nhạc và lời của bài hát nào?',
    stemEn:
      'Under the 2013 Constitution, the National Anthem of the Socialist Republic of Vietnam is the music and lyrics of which song?',
    options: [
      { text: 'Tiến quân ca', correct: true },
      { text: 'Giải phóng miền Nam', correct: false },
      { text: 'Như có Bác Hồ trong ngày vui đại thắng', correct: false },
      { text: 'Diệt phát xít', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation:
      'Điều 13 Hiến pháp năm 2013 quy định Quốc ca là nhạc và lời của bài Tiến quân ca, do nhạc sĩ Văn Cao sáng tác.',
  },
  {
    type: 'single',
    stem: 'Theo Hiến pháp năm 2013, Quốc kỳ nước Cộng hòa xã hội chủ nghĩa Việt Nam được mô tả như thế nào?',
    stemEn: 'How does the 2013 Constitution describe the national flag of the Socialist Republic of Vietnam?',
    options: [
      {
        text: 'Hình chữ nhật, chiều rộng bằng hai phần ba chiều dài, nền đỏ, ở giữa có ngôi sao vàng sáu cánh',
        correct: false,
      },
      {
        text: 'Hình chữ nhật, chiều rộng bằng hai phần ba chiều dài, nền xanh, ở giữa có ngôi sao vàng năm cánh',
        correct: false,
      },
      {
        text: 'Hình chữ nhật, chiều rộng bằng hai phần ba chiều dài, nền đỏ, ở giữa có ngôi sao vàng năm cánh',
        correct: true,
      },
      { text: 'Hình vuông, nền đỏ, ở giữa có ngôi sao vàng năm cánh', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation:
      'Điều 13 Hiến pháp năm 2013 quy định Quốc kỳ hình chữ nhật, chiều rộng bằng hai phần ba chiều dài, nền đỏ, ở giữa có ngôi sao vàng năm cánh.',
  },
  {
    type: 'single',
    stem: 'Văn bản nào là luật cơ bản của nước Cộng hòa xã hội chủ nghĩa Việt Nam, có hiệu lực pháp lý cao nhất?',
    stemEn:
      'Which document is the fundamental law of the Socialist Republic of Vietnam with the highest legal effect?',
    options: [
      { text: 'Hiến pháp', correct: true },
      { text: 'Bộ luật Dân sự', correct: false },
      { text: 'Luật Tổ chức Quốc hội', correct: false },
      { text: 'Nghị định của Chính phủ', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation:
      'Điều 119 Hiến pháp năm 2013 khẳng định Hiến pháp là luật cơ bản, có hiệu lực pháp lý cao nhất; mọi văn bản pháp luật khác phải phù hợp với Hiến pháp.',
  },
  {
    type: 'truefalse',
    stem: 'Theo Hiến pháp năm 2013, Chính phủ là cơ quan quyền lực nhà nước cao nhất của nước Cộng hòa xã hội chủ nghĩa Việt Nam.',
    stemEn:
      'Under the 2013 Constitution, the Government is the highest organ of state power of the Socialist Republic of Vietnam.',
    options: [
      { text: 'Đúng', correct: false },
      { text: 'Sai', correct: true },
    ],
    tags: ['cong-dan'],
    difficulty: 1,
    explanation:
      'Theo Điều 69 Hiến pháp năm 2013, Quốc hội mới là cơ quan quyền lực nhà nước cao nhất; Chính phủ là cơ quan hành chính nhà nước cao nhất (Điều 94).',
  },
  {
    type: 'multiple',
    stem: 'Những quyền nào sau đây được Hiến pháp năm 2013 ghi nhận?',
    stemEn: 'Which of the following rights are recognised by the 2013 Constitution?',
    options: [
      { text: 'Quyền bầu cử và ứng cử', correct: true },
      { text: 'Quyền tự do kinh doanh trong những ngành nghề mà pháp luật không cấm', correct: true },
      { text: 'Quyền từ chối nộp thuế', correct: false },
      { text: 'Quyền bất khả xâm phạm về chỗ ở', correct: true },
    ],
    tags: ['cong-dan'],
    difficulty: 2,
    explanation:
      'Hiến pháp năm 2013 ghi nhận quyền bầu cử, ứng cử, quyền tự do kinh doanh và quyền bất khả xâm phạm về chỗ ở; còn nộp thuế theo luật định là nghĩa vụ của công dân.',
  },
  {
    type: 'multiple',
    stem: 'Theo Hiến pháp năm 2013, những nội dung nào sau đây là nghĩa vụ của công dân?',
    stemEn: 'Under the 2013 Constitution, which of the following are duties of citizens?',
    options: [
      { text: 'Bắt buộc phải theo một tôn giáo', correct: false },
      { text: 'Nộp thuế theo luật định', correct: true },
      { text: 'Bảo vệ Tổ quốc', correct: true },
      { text: 'Bắt buộc phải gia nhập một tổ chức chính trị', correct: false },
    ],
    tags: ['cong-dan'],
    difficulty: 2,
    explanation:
      'Hiến pháp năm 2013 quy định bảo vệ Tổ quốc là nghĩa vụ thiêng liêng, quyền cao quý của công dân và công dân có nghĩa vụ nộp thuế theo luật định; mọi người có quyền tự do tín ngưỡng, tôn giáo, theo hoặc không theo một tôn giáo nào.',
  },

  // ─────────────────────────── Chuyển đổi số ───────────────────────────
  {
    type: 'single',
    stem: 'Ngày Chuyển đổi số quốc gia của Việt Nam là ngày nào hằng năm?',
    stemEn: "What is Vietnam's annual National Digital Transformation Day?",
    options: [
      { text: '3/6', correct: false },
      { text: '2/9', correct: false },
      { text: '10/10', correct: true },
      { text: '9/12', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 1,
    explanation:
      'Theo Quyết định 505/QĐ-TTg ngày 22/4/2022 của Thủ tướng Chính phủ, ngày 10/10 hằng năm là Ngày Chuyển đổi số quốc gia.',
  },
  {
    type: 'single',
    stem: 'Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030 được Thủ tướng Chính phủ phê duyệt tại văn bản nào?',
    stemEn:
      'Which document of the Prime Minister approved the National Digital Transformation Programme to 2025, with orientation to 2030?',
    options: [
      { text: 'Quyết định 505/QĐ-TTg ngày 22/4/2022', correct: false },
      { text: 'Quyết định 749/QĐ-TTg ngày 3/6/2020', correct: true },
      { text: 'Quyết định 06/QĐ-TTg ngày 6/1/2022', correct: false },
      { text: 'Nghị quyết 57-NQ/TW ngày 22/12/2024', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 2,
    explanation:
      'Quyết định 749/QĐ-TTg ngày 3/6/2020 của Thủ tướng Chính phủ phê duyệt "Chương trình Chuyển đổi số quốc gia đến năm 2025, định hướng đến năm 2030".',
  },
  {
    type: 'single',
    stem: 'Theo Chương trình Chuyển đổi số quốc gia (Quyết định 749/QĐ-TTg), ba trụ cột của chuyển đổi số là gì?',
    stemEn:
      'According to the National Digital Transformation Programme (Decision 749/QĐ-TTg), what are the three pillars of digital transformation?',
    options: [
      { text: 'Hạ tầng số, dữ liệu số, an ninh mạng', correct: false },
      { text: 'Đô thị thông minh, nông nghiệp thông minh, y tế thông minh', correct: false },
      { text: 'Chính phủ điện tử, thương mại điện tử, giáo dục điện tử', correct: false },
      { text: 'Chính phủ số, kinh tế số, xã hội số', correct: true },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 2,
    explanation:
      'Quyết định 749/QĐ-TTg xác định chuyển đổi số quốc gia gồm ba trụ cột: phát triển Chính phủ số, kinh tế số và xã hội số.',
  },
  {
    type: 'single',
    stem: 'Đề án 06 (Quyết định 06/QĐ-TTg ngày 6/1/2022 của Thủ tướng Chính phủ) là đề án về nội dung gì?',
    stemEn: "What is Project 06 (Prime Minister's Decision 06/QĐ-TTg of 6 January 2022) about?",
    options: [
      {
        text: 'Phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia',
        correct: true,
      },
      { text: 'Phủ sóng mạng di động 5G trên toàn quốc', correct: false },
      { text: 'Xây dựng đô thị thông minh tại các thành phố trực thuộc trung ương', correct: false },
      { text: 'Phổ cập thanh toán không dùng tiền mặt trong trường học', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 3,
    explanation:
      'Đề án 06 là Đề án phát triển ứng dụng dữ liệu về dân cư, định danh và xác thực điện tử phục vụ chuyển đổi số quốc gia giai đoạn 2022–2025, tầm nhìn đến năm 2030.',
  },
  {
    type: 'single',
    stem: 'Ứng dụng định danh quốc gia VNeID do cơ quan nào xây dựng và quản lý?',
    stemEn: 'Which agency built and manages the national identification app VNeID?',
    options: [
      { text: 'Bộ Công an', correct: true },
      { text: 'Bộ Khoa học và Công nghệ', correct: false },
      { text: 'Bộ Tư pháp', correct: false },
      { text: 'Bảo hiểm xã hội Việt Nam', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 1,
    explanation:
      'VNeID là Ứng dụng định danh quốc gia do Bộ Công an xây dựng và quản lý, kết nối với Cơ sở dữ liệu quốc gia về dân cư.',
  },
  {
    type: 'single',
    stem: 'Công dân sử dụng tài khoản định danh điện tử mức độ 1, mức độ 2 trên ứng dụng nào?',
    stemEn:
      'On which application do citizens use their Level-1 and Level-2 electronic identification accounts?',
    options: [
      { text: 'VssID', correct: false },
      { text: 'eTax Mobile', correct: false },
      { text: 'Zalo', correct: false },
      { text: 'VNeID', correct: true },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 1,
    explanation:
      'Tài khoản định danh điện tử mức độ 1 và mức độ 2 được cấp và sử dụng trên Ứng dụng định danh quốc gia VNeID; VssID là ứng dụng của Bảo hiểm xã hội, eTax Mobile là ứng dụng thuế điện tử.',
  },
  {
    type: 'single',
    stem: 'Địa chỉ trang web của Cổng Dịch vụ công quốc gia là gì?',
    stemEn: 'What is the web address of the National Public Service Portal?',
    options: [
      { text: 'dichvucong.gov.vn', correct: true },
      { text: 'chinhphu.vn', correct: false },
      { text: 'baochinhphu.vn', correct: false },
      { text: 'vanban.chinhphu.vn', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 1,
    explanation:
      'Cổng Dịch vụ công quốc gia có địa chỉ dichvucong.gov.vn, là đầu mối để người dân, doanh nghiệp thực hiện thủ tục hành chính và dịch vụ công trực tuyến.',
  },
  {
    type: 'single',
    stem: 'Cổng Dịch vụ công quốc gia chính thức khai trương vào năm nào?',
    stemEn: 'In which year was the National Public Service Portal officially launched?',
    options: [
      { text: '2017', correct: false },
      { text: '2021', correct: false },
      { text: '2019', correct: true },
      { text: '2023', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 2,
    explanation: 'Cổng Dịch vụ công quốc gia chính thức khai trương ngày 9/12/2019.',
  },
  {
    type: 'single',
    stem: 'Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị đề cập vấn đề gì?',
    stemEn: 'What is the subject of Politburo Resolution No. 57-NQ/TW of 22 December 2024?',
    options: [
      { text: 'Phát triển kinh tế tư nhân', correct: false },
      {
        text: 'Đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia',
        correct: true,
      },
      { text: 'Phát triển bền vững kinh tế biển', correct: false },
      { text: 'Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 3,
    explanation:
      'Nghị quyết 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị là nghị quyết về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.',
  },
  {
    type: 'single',
    stem: 'Luật Giao dịch điện tử năm 2023 có hiệu lực thi hành từ ngày nào?',
    stemEn: 'From what date did the 2023 Law on Electronic Transactions take effect?',
    options: [
      { text: '1/1/2024', correct: false },
      { text: '1/7/2023', correct: false },
      { text: '1/1/2025', correct: false },
      { text: '1/7/2024', correct: true },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 3,
    explanation:
      'Luật Giao dịch điện tử số 20/2023/QH15 được Quốc hội thông qua năm 2023 và có hiệu lực thi hành từ ngày 1/7/2024.',
  },
  {
    type: 'single',
    stem: 'Luật An ninh mạng đầu tiên của Việt Nam được Quốc hội thông qua vào năm nào?',
    stemEn: "In which year did the National Assembly pass Vietnam's first Law on Cybersecurity?",
    options: [
      { text: '2015', correct: false },
      { text: '2018', correct: true },
      { text: '2020', correct: false },
      { text: '2023', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 2,
    explanation:
      'Luật An ninh mạng được Quốc hội thông qua ngày 12/6/2018 và có hiệu lực từ ngày 1/1/2019; năm 2015 là năm thông qua Luật An toàn thông tin mạng.',
  },
  {
    type: 'single',
    stem: 'Khi nhận được cuộc gọi hoặc tin nhắn tự xưng là ngân hàng, cơ quan công an đề nghị cung cấp mã OTP, bạn nên làm gì?',
    stemEn:
      'When you receive a call or message claiming to be from a bank or the police asking for your OTP code, what should you do?',
    options: [
      { text: 'Cung cấp ngay để được hỗ trợ kịp thời', correct: false },
      { text: 'Cung cấp nếu người gọi đọc đúng họ tên của mình', correct: false },
      { text: 'Tuyệt đối không cung cấp mã OTP cho bất kỳ ai', correct: true },
      { text: 'Gửi mã OTP qua mạng xã hội cho người yêu cầu', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 1,
    explanation:
      'Mã OTP dùng để xác thực giao dịch của chính chủ tài khoản; ngân hàng và cơ quan chức năng không yêu cầu người dân cung cấp OTP, nên tuyệt đối không chia sẻ mã này.',
  },
  {
    type: 'truefalse',
    stem: 'Theo Luật Giao dịch điện tử năm 2023, chữ ký số là một loại chữ ký điện tử.',
    stemEn:
      'Under the 2023 Law on Electronic Transactions, a digital signature is a type of electronic signature.',
    options: [
      { text: 'Đúng', correct: true },
      { text: 'Sai', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 2,
    explanation:
      'Luật Giao dịch điện tử năm 2023 định nghĩa chữ ký số là chữ ký điện tử sử dụng thuật toán khóa không đối xứng, gồm khóa bí mật và khóa công khai.',
  },
  {
    type: 'truefalse',
    stem: 'Người dân có thể đăng nhập Cổng Dịch vụ công quốc gia bằng tài khoản định danh điện tử VNeID.',
    stemEn:
      'Citizens can log in to the National Public Service Portal using their VNeID electronic identification account.',
    options: [
      { text: 'Đúng', correct: true },
      { text: 'Sai', correct: false },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 1,
    explanation:
      'Cổng Dịch vụ công quốc gia cho phép công dân đăng nhập bằng tài khoản định danh điện tử do Bộ Công an cấp qua ứng dụng VNeID.',
  },
  {
    type: 'multiple',
    stem: 'Những việc làm nào sau đây giúp bảo vệ tài khoản trực tuyến của bạn?',
    stemEn: 'Which of the following practices help protect your online accounts?',
    options: [
      { text: 'Bật xác thực hai yếu tố', correct: true },
      { text: 'Dùng chung một mật khẩu cho mọi tài khoản', correct: false },
      { text: 'Bấm vào đường link lạ trong tin nhắn để nhận quà', correct: false },
      { text: 'Đặt mật khẩu mạnh và khác nhau cho từng tài khoản', correct: true },
    ],
    tags: ['chuyen-doi-so'],
    difficulty: 1,
    explanation:
      'Xác thực hai yếu tố và mật khẩu mạnh, riêng cho từng tài khoản giúp giảm nguy cơ bị chiếm đoạt; dùng chung mật khẩu hay bấm vào link lạ đều làm tăng rủi ro.',
  },
];

const ALLOWED_TAGS = new Set(['lich-su', 'dia-ly', 'cong-dan', 'chuyen-doi-so', 'ho-chi-minh']);

/** Returns a list of problems in the question bank; empty when everything is fine. */
export const seedQuestionsCheck = (): string[] => {
  const problems: string[] = [];
  const seenStems = new Map<string, number>();

  seedQuestions.forEach((q, i) => {
    const at = `#${i + 1} (${q.stem.slice(0, 40)})`;
    const correct = q.options.filter((o) => o.correct).length;

    for (const [field, value] of [
      ['stem', q.stem],
      ['stemEn', q.stemEn],
      ['explanation', q.explanation],
    ] as const) {
      if (value.trim() === '') problems.push(`${at}: empty ${field}`);
      if (value !== value.normalize('NFC')) problems.push(`${at}: ${field} is not NFC`);
    }
    q.options.forEach((o, j) => {
      if (o.text.trim() === '') problems.push(`${at}: empty text in option ${j + 1}`);
      if (o.text !== o.text.normalize('NFC')) problems.push(`${at}: option ${j + 1} is not NFC`);
    });
    if (new Set(q.options.map((o) => o.text.trim())).size !== q.options.length) {
      problems.push(`${at}: duplicate option texts`);
    }

    if (q.options.length < 2) problems.push(`${at}: fewer than 2 options`);
    if ((q.type === 'single' || q.type === 'truefalse') && correct !== 1) {
      problems.push(`${at}: ${q.type} question has ${correct} correct options, expected 1`);
    }
    if (q.type === 'multiple' && correct < 2) {
      problems.push(`${at}: multiple question has ${correct} correct options, expected at least 2`);
    }
    if (q.type === 'multiple' && correct === q.options.length) {
      problems.push(`${at}: multiple question has every option correct`);
    }
    if (q.type === 'truefalse') {
      const texts = q.options.map((o) => o.text).sort();
      if (texts.length !== 2 || texts[0] !== 'Sai' || texts[1] !== 'Đúng') {
        problems.push(`${at}: truefalse options must be exactly "Đúng" and "Sai"`);
      }
    }

    if (q.tags.length === 0) problems.push(`${at}: no tags`);
    for (const tag of q.tags) {
      if (!ALLOWED_TAGS.has(tag)) problems.push(`${at}: unknown tag "${tag}"`);
    }
    if (![1, 2, 3].includes(q.difficulty)) problems.push(`${at}: invalid difficulty ${String(q.difficulty)}`);

    const key = q.stem.normalize('NFC').trim().toLowerCase();
    const first = seenStems.get(key);
    if (first !== undefined) problems.push(`${at}: duplicate stem of #${first}`);
    else seenStems.set(key, i + 1);
  });

  return problems;
};
